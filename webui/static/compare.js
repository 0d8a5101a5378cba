// Comparison pages: the print button (inline scripts are not allowed by the page's CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
