/* qserve service worker: shows push notifications ({title, body, url}) and opens the ticket when tapped. */
"use strict";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  var payload = {};
  try { payload = event.data ? event.data.json() : {}; } catch (e) { payload = { body: event.data.text() }; }
  var url = payload.url || "/";
  var shown = self.registration.showNotification(payload.title || "qserve", {
    body: payload.body || "",
    tag: payload.tag || url,
    renotify: true,
    icon: "/mobile/static/icon-192.png",
    badge: "/mobile/static/icon-192.png",
    vibrate: [400, 200, 400],
    data: { url: url }
  });
  // Open ticket pages refresh at once instead of waiting for their socket or their next poll.
  var told = self.clients.matchAll({ type: "window" }).then(function (windows) {
    windows.forEach(function (client) { client.postMessage({ type: "qserve-push", url: url }); });
  });
  event.waitUntil(Promise.all([shown, told]));
});

self.addEventListener("notificationclick", function (event) {
  var url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.notification.close();
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === url && "focus" in windows[i]) return windows[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});
