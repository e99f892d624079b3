// Opened from an embed to sign in (sign-in pages cannot be framed): the embed that opened this tab
// reloads, now signed in, and this tab closes. If the browser keeps it open, its text says what to do.
(function () {
  var embed = window.opener;
  if (!embed || embed.closed) return;
  try {
    embed.location.reload();
  } catch (error) {
    return; // not one of our pages: nothing to reload
  }
  window.close();
})();
