// balita: search on the built site with Pagefind (pagefind/ is made by `balita build`).
// Every page is indexed in its own language; this page searches all of them. Results are
// drawn with text nodes only: nothing from the index is ever parsed as markup into the page.
const form = document.getElementById("search-form");

if (form) {
  const input = form.querySelector("input[name=q]");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const bundle = new URL(form.dataset.bundle, location.href);
  const siteRoot = new URL(form.dataset.root, location.href);
  let engine = null;
  let latest = 0;

  async function load() {
    if (engine) return engine;
    const pagefind = await import(new URL("pagefind.js", bundle).href);
    await pagefind.options({ baseUrl: siteRoot.pathname, excerptLength: 24 });
    const own = (document.documentElement.lang || "").toLowerCase();
    try {
      const entry = await (await fetch(new URL("pagefind-entry.json", bundle))).json();
      for (const language of Object.keys(entry.languages || {})) {
        if (language.toLowerCase() !== own) {
          await pagefind.mergeIndex(bundle.href, { language, baseUrl: siteRoot.pathname });
        }
      }
    } catch (error) {
      // Without the entry file only this page's language is searched.
    }
    await pagefind.init();
    engine = pagefind;
    return engine;
  }

  // An excerpt is HTML with <mark> around the words found: parsed inertly, only text and
  // <mark> are kept.
  function excerptNodes(html) {
    const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
    const nodes = [];
    for (const node of parsed.body.firstChild ? parsed.body.firstChild.childNodes : []) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        nodes.push(mark);
      } else {
        nodes.push(document.createTextNode(node.textContent));
      }
    }
    return nodes;
  }

  function say(text) {
    status.textContent = text;
  }

  async function run(query) {
    const ticket = ++latest;
    list.replaceChildren();
    if (!query.trim()) {
      say("");
      return;
    }
    const pagefind = await load();
    const search = await pagefind.search(query);
    const found = await Promise.all(search.results.slice(0, 30).map((result) => result.data()));
    if (ticket !== latest) return;
    if (found.length === 0) {
      say(`${form.dataset.none} “${query}”.`);
      return;
    }
    say(`${search.results.length} ${search.results.length === 1 ? form.dataset.foundOne : form.dataset.found} “${query}”.`);
    for (const data of found) {
      const item = document.createElement("li");
      item.className = "entry";
      if (data.language) item.lang = data.language;
      const heading = document.createElement("h2");
      const link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      heading.append(link);
      const excerpt = document.createElement("p");
      excerpt.className = "summary";
      excerpt.append(...excerptNodes(data.excerpt || ""));
      item.append(heading, excerpt);
      list.append(item);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL(location.href);
    url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
    run(input.value);
  });
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 250);
  });
  const asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    input.value = asked;
    run(asked);
  }
}
