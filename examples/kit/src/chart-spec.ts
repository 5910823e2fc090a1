/**
 * The examples' line charts as Vega-Lite specs: rendered to SVG and PNG by plot.ts in Node, and
 * drawn live with vega-embed by the web page (examples/threenet-web), from the same spec. No Node
 * module here: `@mini/example-kit/chart-spec` is importable in a page.
 */
import type { TopLevelSpec } from 'vega-lite';

/** One line chart, like the seed's matplotlib plots. */
export interface Chart {
  title: string;
  xlabel: string;
  ylabel: string;
  /** (x, y) points of one line. */
  points: readonly { x: number; y: number }[];
}

/** The Vega-Lite spec of a chart. */
export function chartSpec(chart: Chart): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chart.title,
    width: 560,
    height: 320,
    background: 'white',
    data: { values: chart.points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: chart.points.length <= 60 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: chart.xlabel },
      y: { field: 'y', type: 'quantitative', title: chart.ylabel, scale: { zero: false } },
    },
  };
}
