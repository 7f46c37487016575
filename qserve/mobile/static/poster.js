// The poster's print button (a script of its own: pages run no inline script, see qserve/security.py).
"use strict";
document.getElementById("print-poster").addEventListener("click", function () { window.print(); });
