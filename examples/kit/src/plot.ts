import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { writeFileAtomic } from './files.ts';

export interface Chart {
  title: string;
  xlabel: string;
  ylabel: string;
  /** (x, y) points of one line. */
  points: readonly { x: number; y: number }[];
}

/** Renders a line chart with Vega-Lite, like the seed's matplotlib draw(), as SVG text. */
export async function renderSvg(chart: Chart): Promise<string> {
  const spec = compile({
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
  }).spec;
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
