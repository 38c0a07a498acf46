// The ECharts build the SPA loads as the global `echarts` (charming's WasmRenderer calls it):
// only the charts and components the app draws, instead of the full 1 MB `echarts.min.js`.
// Adding a chart type or component in `frontend/src/charts` means registering it here.
import { use } from 'echarts/core';
import { BarChart, LineChart, RadarChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  RadarComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapPiecewiseComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
// The toolbox with only its "save as image" feature: the stock ToolboxComponent also installs
// data view, magic type, restore and data zoom (with the whole dataZoom component), ~40 KB
// gzip the app never uses.
import ToolboxModel from 'echarts/lib/component/toolbox/ToolboxModel.js';
import ToolboxView from 'echarts/lib/component/toolbox/ToolboxView.js';
import { registerFeature } from 'echarts/lib/component/toolbox/featureManager.js';
import SaveAsImage from 'echarts/lib/component/toolbox/feature/SaveAsImage.js';

function SaveAsImageToolbox(registers) {
  registers.registerComponentModel(ToolboxModel);
  registers.registerComponentView(ToolboxView);
  registerFeature('saveAsImage', SaveAsImage);
}

use([
  BarChart, LineChart, RadarChart,
  GridComponent, LegendComponent, MarkLineComponent, RadarComponent, TitleComponent,
  SaveAsImageToolbox, TooltipComponent, VisualMapPiecewiseComponent,
  // Canvas, not SVG: the toolbox's "save as image" exports PNG from it.
  CanvasRenderer,
]);

export * from 'echarts/core';
