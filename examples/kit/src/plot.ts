import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { chartSpec, type Chart } from './chart-spec.ts';
import { writeFileAtomic } from './files.ts';

export type { Chart } from './chart-spec.ts';

/** Renders a line chart with Vega-Lite, like the seed's matplotlib draw(), as SVG text. */
export async function renderSvg(chart: Chart): Promise<string> {
  const spec = compile(chartSpec(chart)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Writes `<path>.svg` and `<path>.png`. */
export async function drawChart(chart: Chart, path: string): Promise<void> {
  const svg = await renderSvg(chart);
  writeFileAtomic(`${path}.svg`, svg);
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
  writeFileAtomic(`${path}.png`, png);
}
