// Check-in door page: scan a participant's QR code with the phone camera
// (jsQR decodes video frames drawn on a canvas; Safari has no
// BarcodeDetector) and submit it through the same form as a typed code.
// The camera is asked for only when staff press the button.
(function () {
  "use strict";
  var start = document.getElementById("checkin-start");
  var video = document.getElementById("checkin-video");
  var canvas = document.getElementById("checkin-canvas");
  var form = document.getElementById("checkin-form");
  var input = document.getElementById("f-code");
  var problem = document.getElementById("checkin-camera-error");
  if (!start || !video || !canvas || !form || !input) {
    return;
  }
  var stream = null;

  function fail(key) {
    problem.textContent = problem.getAttribute("data-" + key);
    problem.hidden = false;
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
  }

  function tick() {
    if (!stream) {
      return;
    }
    if (video.readyState === video.HAVE_ENOUGH_DATA && video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) {
        stop();
        input.value = found.data;
        form.submit();
        return;
      }
    }
    window.requestAnimationFrame(tick);
  }

  start.addEventListener("click", function () {
    problem.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      fail("unsupported");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      start.hidden = true;
      return video.play();
    }).then(function () {
      window.requestAnimationFrame(tick);
    }).catch(function () {
      stop();
      fail("denied");
    });
  });
  window.addEventListener("pagehide", stop);
})();
