// Simulation view script (runs inside the webview, CSP nonce): report selector changes to the extension.
(function () {
  const vscode = acquireVsCodeApi();
  const arch = document.getElementById('vm-arch');
  const variant = document.getElementById('vm-variant');
  function send() {
    vscode.postMessage({ type: 'select', arch: arch.value, variant: variant.value });
  }
  if (arch) arch.addEventListener('change', send);
  if (variant) variant.addEventListener('change', send);
})();
