// Progressive enhancement: as the supporter types their postal code, name the representative
// their letter will go to (GET /api/v3/campaigns/{id}/targets/). Without JavaScript the
// thank-you page names them instead. The words come translated in the element's data-*.
(function () {
  const status = document.getElementById("representative-lookup");
  if (!status || !window.fetch || !window.URL) return;
  const input = document.querySelector(status.dataset.input);
  if (!input) return;
  let timer;
  let asked = "";

  // Plain words: "Margaret Lowell, Parliament Hill", without the title or nested brackets.
  const describe = (person) => [person.name, person.district].filter(Boolean).join(", ");

  const lookUp = async () => {
    const code = input.value.trim();
    if (code === asked) return;
    asked = code;
    if (code.replace(/[\s-]/g, "").length < 3) {
      status.textContent = "";
      return;
    }
    try {
      const url = new URL(status.dataset.url, window.location.href);
      url.searchParams.set("postal_code", code);
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "omit",
      });
      const answer = await response.json();
      if (code !== asked) return; // the supporter has typed on meanwhile
      const people = answer.representatives || [];
      if (response.ok && people.length) {
        const label = people.length > 1 ? status.dataset.many : status.dataset.one;
        status.textContent = label + " " + people.map(describe).join(", ");
      } else if (response.ok) {
        status.textContent = answer.message || "";
      } else if (response.status === 422) {
        status.textContent = (answer.errors && answer.errors[0] && answer.errors[0].msg) || "";
      } else {
        status.textContent = "";
      }
    } catch (error) {
      status.textContent = ""; // the form still works: the thank-you page names them
    }
  };

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 400);
  });
  input.addEventListener("change", lookUp);
  if (input.value) lookUp();
})();
