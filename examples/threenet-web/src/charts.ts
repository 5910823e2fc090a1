/**
 * The Node example's two plots (the loss of each epoch's last batch, the training accuracy), as
 * Vega-Lite specs, drawn in the page with vega-embed.
 */
import embed from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';

/** One line chart. */
export interface Chart {
  title: string;
  xlabel: string;
  ylabel: string;
  points: readonly { x: number; y: number }[];
}

/** The Vega-Lite spec of a line chart, as the Node example renders it to SVG and PNG. */
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

const views = new Map<HTMLElement, { finalize(): void }>();

/** Draws (or redraws) a chart into `element`, releasing the view drawn there before. */
export async function drawChart(element: HTMLElement, chart: Chart): Promise<void> {
  const result = await embed(element, chartSpec(chart), { actions: false, renderer: 'svg' });
  views.get(element)?.finalize();
  views.set(element, result);
}
