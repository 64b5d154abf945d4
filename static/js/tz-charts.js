// Charts from the project's own files (static/vendor/echarts): no CDN, works on a closed network.
// Usage in a template:
//   <div class="chart" data-chart="flows-option" role="img" aria-label="..."></div>
//   {{ option|json_script:"flows-option" }}
//   <script src="{% static 'vendor/echarts/echarts.min.js' %}"></script>
//   <script src="{% static 'js/tz-charts.js' %}"></script>
// The option is a plain ECharts option built by the server (translated labels, values).
// "tzMoney": true on the option formats axis labels and tooltips as ¥12,345.
(function () {
  function money(v) {
    var n = Number(v);
    if (!isFinite(n)) return v;
    return "¥" + n.toLocaleString("zh-CN", { maximumFractionDigits: 2 });
  }
  function apply(el) {
    var src = document.getElementById(el.dataset.chart);
    if (!src || !window.echarts) return;
    var option = JSON.parse(src.textContent);
    if (option.tzMoney) {
      delete option.tzMoney;
      option.tooltip = Object.assign({ trigger: "axis" }, option.tooltip || {}, { valueFormatter: money });
      [].concat(option.yAxis || [], option.xAxis || []).forEach(function (axis) {
        if (axis && axis.type === "value") axis.axisLabel = Object.assign({}, axis.axisLabel, { formatter: money });
      });
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.dataset.chartReady = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(apply);
})();
