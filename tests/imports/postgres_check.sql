-- Run by tests/cli/imports.rs with psql after the README's PostgreSQL import, in the folder that
-- holds out/rollup.csv. Prints one line per period (the national raw and the sum of every
-- node's own lines, as PostgreSQL computes them); any other line is a problem.

-- rollup.csv again, every column as text: the truth to compare the typed table with.
CREATE TEMP TABLE rollup_csv (
  period text, node_id text, name text, level text, parent_id text, depth text, raw text,
  forecast text, confidence text, adjusted text, contribution text, target text, gap text,
  attainment text, own text, own_contribution text, reviewed text, note text
);
\copy rollup_csv FROM 'out/rollup.csv' WITH (FORMAT csv, HEADER match)

SELECT format('rows: %s imported, %s in rollup.csv', (SELECT count(*) FROM rollup),
              (SELECT count(*) FROM rollup_csv))
WHERE (SELECT count(*) FROM rollup) <> (SELECT count(*) FROM rollup_csv);

-- Cell for cell: each typed value printed back as text is the text rollup.csv holds.
SELECT format('%s %s %s: rollup.csv %s, imported %s', t.period, t.node_id, c.col,
              coalesce(c.want, 'NULL'), coalesce(c.got, 'NULL'))
FROM rollup_csv t
LEFT JOIN rollup r ON r.period = t.period AND r.node_id = t.node_id
CROSS JOIN LATERAL (VALUES
  ('name', t.name, r.name), ('level', t.level, r.level), ('parent_id', t.parent_id, r.parent_id),
  ('depth', t.depth, r.depth::text), ('raw', t.raw, r.raw::text),
  ('forecast', t.forecast, r.forecast::text), ('confidence', t.confidence, r.confidence::text),
  ('adjusted', t.adjusted, r.adjusted::text), ('contribution', t.contribution, r.contribution::text),
  ('target', t.target, r.target::text), ('gap', t.gap, r.gap::text),
  ('attainment', t.attainment, r.attainment::text), ('own', t.own, r.own::text),
  ('own_contribution', t.own_contribution, r.own_contribution::text),
  ('reviewed', t.reviewed, r.reviewed::text), ('note', t.note, r.note),
  ('row', t.node_id, r.node_id)
) AS c(col, want, got)
WHERE c.want IS DISTINCT FROM c.got
ORDER BY 1;

-- Each node's totals: its children's plus its own lines, in NUMERIC arithmetic.
SELECT format('%s %s does not tie: raw %s, forecast %s, contribution %s', p.period, p.node_id,
              p.raw, p.forecast, p.contribution)
FROM rollup p
LEFT JOIN LATERAL (
  SELECT sum(c.raw) AS raw, sum(c.adjusted) AS adjusted, sum(c.contribution) AS contribution
  FROM rollup c WHERE c.period = p.period AND c.parent_id = p.node_id
) k ON true
WHERE p.raw <> coalesce(k.raw, 0) + p.own
   OR p.forecast <> coalesce(k.adjusted, 0) + p.own
   OR p.contribution <> coalesce(k.contribution, 0) + p.own_contribution
   OR p.gap IS DISTINCT FROM p.forecast - p.target
ORDER BY 1;

-- The national raw and the sum of every own line, per period.
SELECT format('%s: national raw %s, sum of own %s', r.period, r.raw,
              (SELECT sum(own) FROM rollup x WHERE x.period = r.period))
FROM rollup r WHERE r.depth = 0 ORDER BY r.period;
