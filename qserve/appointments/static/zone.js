// Reveal "All times are local time in Helsinki" only on a phone whose clock shows another time than the
// location's at the moment that matters (a traveller, or a phone set to another zone): everyone else reads
// the times as they are. Zones with other names but the same clock (Tallinn and Helsinki) say nothing.
(function () {
  "use strict";
  var wall = function (zone, moment) {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    }).format(moment);
  };
  document.querySelectorAll("[data-location-zone]").forEach(function (note) {
    var moment = note.dataset.at ? new Date(note.dataset.at) : new Date();
    try {
      note.hidden = wall(note.dataset.locationZone, moment) === wall(undefined, moment);
    } catch (error) {
      note.hidden = false; // a zone the browser does not know: better said than not
    }
  });
})();
