// relais — the signature pad: the only page where our JavaScript is
// required. Strokes become SVG paths in a hidden field. Without it, the
// mandate is printed and signed on paper.
(function () {
  'use strict';
  var pads = document.querySelectorAll('[data-signature-pad]');
  Array.prototype.forEach.call(pads, function (pad) {
    var canvas = pad.querySelector('canvas');
    var field = pad.querySelector('input[name="signature"]');
    var clear = pad.querySelector('[data-clear]');
    if (!canvas || !field || !canvas.getContext) { return; }
    var ctx = canvas.getContext('2d');
    ctx.lineWidth = 2;
    ctx.lineCap = 'round';
    var paths = [];
    var current = null;
    function point(e) {
      var r = canvas.getBoundingClientRect();
      var x = (e.clientX - r.left) * canvas.width / r.width;
      var y = (e.clientY - r.top) * canvas.height / r.height;
      return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
    }
    function save() {
      field.value = paths.length
        ? '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 150">' +
          paths.map(function (d) { return '<path d="' + d + '"/>'; }).join('') + '</svg>'
        : '';
    }
    canvas.addEventListener('pointerdown', function (e) {
      var p = point(e);
      current = 'M' + p[0] + ' ' + p[1];
      ctx.beginPath();
      ctx.moveTo(p[0], p[1]);
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', function (e) {
      if (current === null) { return; }
      var p = point(e);
      current += ' L' + p[0] + ' ' + p[1];
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    });
    function end() {
      if (current !== null) { paths.push(current); current = null; save(); }
    }
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    if (clear) {
      clear.addEventListener('click', function () {
        paths = [];
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        save();
      });
    }
  });
})();
