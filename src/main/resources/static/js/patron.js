/* Patron console behaviour: CSRF for HTMX, session expiry, confirmations, copy buttons, charts, pickers. */
(function () {
  'use strict';

  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute('content') : null;
  }

  // Every HTMX request carries the CSRF token like the forms do.
  document.addEventListener('htmx:configRequest', function (e) {
    var token = meta('_csrf');
    var header = meta('_csrf_header');
    if (token && header) {
      e.detail.headers[header] = token;
    }
  });

  // A request that was redirected to the login page (session expired) reloads the whole page there.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var url = e.detail.xhr && e.detail.xhr.responseURL;
    if (url && new URL(url, window.location.href).pathname.endsWith('/login')) {
      e.detail.shouldSwap = false;
      window.location.href = url;
    }
  });

  // The language links were rendered for the page as first loaded; after a live search pushed a new
  // address they must switch the language of the page as it is now.
  document.addEventListener('click', function (e) {
    var link = e.target.closest('.lang-switch a[hreflang]');
    if (!link) {
      return;
    }
    var url = new URL(window.location.href);
    url.searchParams.set('lang', link.getAttribute('hreflang'));
    link.setAttribute('href', url.pathname + url.search + url.hash);
  });

  // <form data-confirm="..."> asks before submitting.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  // <button data-copy="#input" data-copied="Copied"> copies the input's value.
  document.addEventListener('click', function (e) {
    var button = e.target.closest('[data-copy]');
    if (!button) {
      return;
    }
    var input = document.querySelector(button.dataset.copy);
    input.select();
    var done = function () { button.textContent = button.dataset.copied; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done);
    } else {
      document.execCommand('copy');
      done();
    }
  });

  var palette = ['#c2410c', '#2563eb', '#059669', '#7c3aed', '#d97706', '#db2777', '#0891b2', '#4b5563'];
  var font = getComputedStyle(document.documentElement).getPropertyValue('--tblr-font-sans-serif') || 'sans-serif';

  function chartOptions(d) {
    if (d.type === 'pie') {
      return {
        color: palette,
        textStyle: { fontFamily: font },
        tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
        legend: { orient: 'vertical', right: 0, top: 'middle', type: 'scroll' },
        series: [{
          name: d.series, type: 'pie', radius: ['45%', '72%'], center: ['35%', '50%'],
          avoidLabelOverlap: true, label: { show: false },
          data: d.labels.map(function (l, i) { return { name: l, value: d.values[i] }; }).filter(function (x) { return x.value > 0; })
        }]
      };
    }
    return {
      color: palette,
      textStyle: { fontFamily: font },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: d.labels, axisLabel: { width: 140, overflow: 'truncate' } },
      series: [{ name: d.series, type: 'bar', data: d.values, barMaxWidth: 18, itemStyle: { borderRadius: [0, 3, 3, 0] } }]
    };
  }

  function initCharts(root) {
    if (!window.echarts) {
      return;
    }
    root.querySelectorAll('[data-chart]').forEach(function (el) {
      if (el.dataset.chartReady) {
        return;
      }
      el.dataset.chartReady = '1';
      var chart = window.echarts.init(el, null, { renderer: 'canvas' });
      chart.on('finished', function () { el.dataset.chartRendered = 'true'; });
      chart.setOption(chartOptions(JSON.parse(el.dataset.chart)));
      window.addEventListener('resize', function () { chart.resize(); });
    });
  }

  // A switch with data-hides="#sel" hides that block while it is on (e.g. "all stores" hides the store picker).
  function initSwitches(root) {
    root.querySelectorAll('[data-hides]').forEach(function (sw) {
      var target = document.querySelector(sw.dataset.hides);
      if (!target) {
        return;
      }
      var apply = function () { target.classList.toggle('d-none', sw.checked); };
      sw.addEventListener('change', apply);
      apply();
    });
  }

  function initMultiSelects(root) {
    if (!window.TomSelect) {
      return;
    }
    root.querySelectorAll('select[data-multiselect]').forEach(function (el) {
      if (el.tomselect) {
        return;
      }
      new window.TomSelect(el, {
        plugins: ['remove_button'],
        placeholder: el.dataset.placeholder || '',
        maxOptions: null
      });
    });
  }

  function init(root) {
    initCharts(root);
    initSwitches(root);
    initMultiSelects(root);
  }

  if (window.htmx) {
    window.htmx.onLoad(init);
  } else {
    document.addEventListener('DOMContentLoaded', function () { init(document); });
  }
})();
