// The remembered colour theme, before the page paints (why: components/Document.tsx).
(() => {
  const root = document.documentElement;
  const media = matchMedia("(prefers-color-scheme: dark)");
  const apply = () => {
    const choice = localStorage.getItem("salon-theme") ?? "system";
    root.classList.toggle("dark", choice == "dark" || (choice == "system" && media.matches));
    root.dataset.theme = choice;
  };
  apply();
  media.addEventListener("change", apply);
  addEventListener("storage", apply);
  addEventListener("salon-theme", apply);
})();
