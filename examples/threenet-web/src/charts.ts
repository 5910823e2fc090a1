/** The Node example's plots (the kit's Vega-Lite specs), drawn in the page with vega-embed. */
import embed from 'vega-embed';
import { chartSpec, type Chart } from '@mini/example-kit/chart-spec';

const views = new Map<HTMLElement, { finalize(): void }>();

/** Draws (or redraws) a chart into `element`, releasing the view drawn there before. */
export async function drawChart(element: HTMLElement, chart: Chart): Promise<void> {
  const result = await embed(element, chartSpec(chart), { actions: false, renderer: 'svg' });
  views.get(element)?.finalize();
  views.set(element, result);
}
