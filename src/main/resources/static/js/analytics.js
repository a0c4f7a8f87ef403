// Analytics dashboards: every element with data-option gets an ECharts chart built from the option
// JSON the server rendered (no JavaScript functions in it); heatmap labels with "percent" show "12.5%".
// A chart marks itself data-chart-rendered="true" once drawn (the browser tests wait for it).
(function () {
  function render(el) {
    if (!window.echarts || el.dataset.chartRendered) { return; }
    var option = JSON.parse(el.dataset.option);
    var font = getComputedStyle(document.documentElement).getPropertyValue('--tblr-font-sans-serif') || 'sans-serif';
    option.textStyle = { fontFamily: font };
    (option.series || []).forEach(function (s) {
      if (s.label && s.label.percent) {
        delete s.label.percent;
        s.label.formatter = function (p) { return p.value[2] + '%'; };
        option.tooltip = { position: 'top', formatter: function (p) {
          return option.yAxis.data[p.value[1]] + ' · ' + option.xAxis.data[p.value[0]] + ': ' + p.value[2] + '%';
        } };
      }
    });
    var chart = window.echarts.init(el, null, { renderer: 'canvas' });
    chart.on('finished', function () { el.dataset.chartRendered = 'true'; });
    chart.setOption(option);
    window.addEventListener('resize', function () { chart.resize(); });
  }
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('.analytics-chart[data-option]').forEach(render);
  });
  document.addEventListener('htmx:afterSwap', function () {
    document.querySelectorAll('.analytics-chart[data-option]').forEach(render);
  });
})();
