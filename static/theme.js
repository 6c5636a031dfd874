// Applies the remembered colour theme before the page paints (loaded blocking in <head>, as a
// file because the Content-Security-Policy allows no inline script). "system" follows the
// operating system. The ThemeToggle island changes the choice.
(() => {
  const media = matchMedia("(prefers-color-scheme: dark)");
  const apply = () => {
    const choice = localStorage.getItem("salon-theme") ?? "system";
    const dark = choice === "dark" || (choice === "system" && media.matches);
    document.documentElement.classList.toggle("dark", dark);
    document.documentElement.dataset.theme = choice;
  };
  apply();
  media.addEventListener("change", apply);
  addEventListener("storage", apply);
  addEventListener("salon-theme", apply);
})();
