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
  let loading = null;
  let latest = 0;
  let timer = null;
  const EXCERPT_WORDS = 30;
  const BODY_ANCHOR = "story-text"; // the id of the story's body on its page

  // An index of no page (a site with no story yet) has no shard: nothing can be found.
  const NOTHING = { search: async () => ({ results: [] }) };

  // The index is cut into shards (pagefind/shards.json), each a Pagefind bundle with an index
  // per language. One (shard, language) is Pagefind's primary index — the language Pagefind
  // itself would load there: the page's own, else the one with the most pages — and every other
  // is merged into it.
  // Loaded once, however many searches start while it loads (two loads would merge every index twice).
  function load() {
    loading ||= loadShards();
    return loading;
  }

  async function loadShards() {
    let listing = {};
    try {
      // Never from a cache on the way (as Pagefind fetches its entry files): a list of shards
      // from before a deploy may name a shard the deploy merged away.
      const url = new URL("shards.json", bundle);
      url.searchParams.set("ts", Date.now());
      listing = await (await fetch(url, { cache: "no-store" })).json();
    } catch (error) {
      // No list of shards (a site built without its index): nothing can be found.
    }
    const shards = (listing.shards || []).map((shard) => ({
      url: new URL(shard.path, bundle).href,
      languages: shard.languages || {},
    }));
    const own = (document.documentElement.lang || "").toLowerCase();
    // Where Pagefind would choose between languages of as many pages, its choice is not known:
    // a shard where it has none to make comes first.
    const primary =
      shards.find((shard) => chosen(shard.languages, own) === own) ||
      shards.find((shard) => new Set(Object.values(shard.languages)).size === Object.keys(shard.languages).length) ||
      shards.find((shard) => chosen(shard.languages, own) !== undefined);
    if (!primary) return NOTHING;
    const loaded = chosen(primary.languages, own);
    const pagefind = await import(new URL("pagefind.js", primary.url).href);
    await pagefind.options({ baseUrl: siteRoot.pathname, excerptLength: EXCERPT_WORDS });
    const merged = [];
    for (const shard of shards) {
      for (const language of Object.keys(shard.languages)) {
        if (shard !== primary || language !== loaded) {
          merged.push(pagefind.mergeIndex(shard.url, { language, baseUrl: siteRoot.pathname }));
        }
      }
    }
    await Promise.all(merged);
    await pagefind.init();
    return pagefind;
  }

  // The language Pagefind loads from a bundle for a page in `own`: that one, else its base
  // language, else the one with the most pages (undefined when the bundle has none).
  function chosen(languages, own) {
    if (Object.hasOwn(languages, own)) return own;
    const base = own.split("-")[0];
    if (Object.hasOwn(languages, base)) return base;
    return Object.keys(languages).sort((a, b) => languages[b] - languages[a])[0];
  }

  // Pagefind's own excerpt is HTML with <mark> around the words found: parsed inertly, only
  // text and <mark> are kept.
  function excerptNodes(html) {
    const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
    const nodes = [];
    for (const node of parsed.body.firstChild ? parsed.body.firstChild.childNodes : []) {
      nodes.push(node.nodeName === "MARK" ? marked(node.textContent) : document.createTextNode(node.textContent));
    }
    return nodes;
  }

  function marked(text) {
    const mark = document.createElement("mark");
    mark.textContent = text;
    return mark;
  }

  // The excerpt from the story's body only (not its headline or standfirst): the page's words
  // from the body's anchor on, around the first word found there, as Pagefind's content,
  // locations and anchors allow. A page without the anchor keeps Pagefind's own excerpt.
  function bodyExcerpt(data) {
    const anchor = (data.anchors || []).find((item) => item.id === BODY_ANCHOR);
    if (!anchor || typeof data.content !== "string") return excerptNodes(data.excerpt || "");
    const words = data.content.split(/\s+/);
    const found = new Set((data.locations || []).filter((at) => at >= anchor.location));
    const first = found.size ? Math.min(...found) : anchor.location;
    const start = Math.max(anchor.location, first - Math.floor(EXCERPT_WORDS / 3));
    const end = Math.min(words.length, start + EXCERPT_WORDS);
    const nodes = [];
    let text = start > anchor.location ? "… " : "";
    for (let at = start; at < end; at++) {
      if (found.has(at)) {
        nodes.push(document.createTextNode(text));
        nodes.push(marked(words[at]));
        text = " ";
      } else {
        text += words[at] + " ";
      }
    }
    nodes.push(document.createTextNode(end < words.length ? `${text.trimEnd()} …` : text.trimEnd()));
    return nodes;
  }

  // The result as a list entry: thumbnail (a photo of the library, named from the site's root),
  // headline, date and excerpt.
  function entry(data) {
    const meta = data.meta || {};
    const item = document.createElement("li");
    item.className = "entry";
    if (data.language) item.lang = data.language;
    const thumbnail = meta.image ? new URL(meta.image, siteRoot) : null;
    if (thumbnail && thumbnail.origin === siteRoot.origin) {
      const photo = document.createElement("div");
      photo.className = "entry-photo";
      const image = document.createElement("img");
      image.src = thumbnail.href;
      image.alt = "";
      image.loading = "lazy";
      image.decoding = "async";
      photo.append(image);
      item.append(photo);
    }
    const text = document.createElement("div");
    text.className = "entry-text";
    const heading = document.createElement("h2");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = meta.title || data.url;
    heading.append(link);
    text.append(heading);
    if (meta.date) {
      const line = document.createElement("p");
      line.className = "meta";
      const time = document.createElement("time");
      if (meta.published) time.dateTime = meta.published;
      time.textContent = meta.date;
      line.append(time);
      text.append(line);
    }
    const excerpt = document.createElement("p");
    excerpt.className = "summary";
    excerpt.append(...bodyExcerpt(data));
    text.append(excerpt);
    item.append(text);
    return item;
  }

  // Pagefind also returns pages where only a word sharing a letter or two with the query was
  // found ("x" for "xyzzyq", an English word for a Filipino one): a result counts when a word
  // found there shares its start with a word asked (as stemming leaves it: "run" for "running").
  const CHECKED = 60;
  const SHOWN = 30;

  function normal(word) {
    return word.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  }

  function hasTerm(data, terms) {
    const words = typeof data.content === "string" ? data.content.split(/\s+/) : [];
    return (data.locations || []).some((at) => {
      const word = normal(words[at] || "");
      return terms.some((term) => {
        const needed = Math.min(term.length, 3);
        let shared = 0;
        while (shared < word.length && shared < term.length && word[shared] === term[shared]) shared++;
        return word.length >= needed && shared >= needed;
      });
    });
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
    const terms = query.split(/\s+/).map(normal).filter(Boolean);
    const checked = await Promise.all(search.results.slice(0, CHECKED).map((result) => result.data()));
    const found = checked.filter((data) => hasTerm(data, terms));
    const count = found.length + Math.max(0, search.results.length - CHECKED);
    if (ticket !== latest) return;
    if (found.length === 0) {
      say(`${form.dataset.none} “${query}”.`);
      return;
    }
    say(`${count} ${count === 1 ? form.dataset.foundOne : form.dataset.found} “${query}”.`);
    found.length = Math.min(found.length, SHOWN);
    list.append(...found.map(entry));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL(location.href);
    url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
    clearTimeout(timer); // the typing pause's search would only repeat this one
    run(input.value);
  });
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
