// Photo inputs (core.formfields.PhotoInput): open the phone camera and show thumbnails of the
// chosen pictures before they are uploaded. Nothing leaves the page until the form is sent.
document.querySelectorAll("input[type=file][data-photo-input]").forEach(function (input) {
  var strip = document.createElement("div");
  strip.className = "thumbs";
  input.insertAdjacentElement("afterend", strip);
  input.addEventListener("change", function () {
    strip.innerHTML = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (!/^image\//.test(file.type)) return;
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      strip.appendChild(img);
    });
  });
});
