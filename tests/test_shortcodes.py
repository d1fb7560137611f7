"""Liquid tags and Hugo shortcodes in post bodies: the common ones rendered, any other removed
with a warning naming its line, never published raw; code keeps what it shows.

The bodies below have the shapes of real Jekyll and Hugo posts (Jekyll's own news, a theme's
sample posts, personal Hugo blogs): highlight blocks with `{% raw %}` inside, `post_url` after
`{{ site.baseurl }}`, multi-line figures, refs with fragments, theme shortcodes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from lxml import html as lxml_html

from scofeed.config import Config
from scofeed.posts.shortcodes import MAX_WARNINGS, UNRESOLVED, expand
from scofeed.posts.store import load_posts
from scofeed.posts.text import markdown_html
from scofeed.site.refs import Refs, page_params

from conftest import run_cli

BASE = "https://example.org/sco/"
PARAMS = {
    "site.url": "https://example.org",
    "site.baseurl": "/sco",
    "site.title": "SCO",
    "page.title": "A <b>post</b>",
    "page.url": "/2010/07/first.html",
}
POSTS = {
    "2010-07-21-name": BASE + "2010/07/name.html",
    "_posts/2010-07-21-name.md": BASE + "2010/07/name.html",
    "posts/other.md": BASE + "2011/01/other.html",
}


def links(kind: str, target: str) -> str | None:
    path, hash_, fragment = target.partition("#")
    url = POSTS.get(path)
    return None if url is None else url + hash_ + fragment


def rendered(body: str) -> str:
    return expand(body, links=links, params=PARAMS).text


# --- the fast path ----------------------------------------------------------------------------


def test_a_body_without_tags_is_returned_as_it_is() -> None:
    body = "Plain *Markdown* with {single} braces and a % sign.\n"
    result = expand(body)
    assert result.text is body
    assert result.warnings == () and result.links == ()


# --- Jekyll -----------------------------------------------------------------------------------


def test_highlight_becomes_a_fenced_block_with_its_language_and_literal_contents() -> None:
    body = (
        'Before.\n\n{% highlight ruby linenos %}\ndef show\n  puts "{{ page.title }}"\n'
        "  # {% if x %}\nend\n{% endhighlight %}\n\nAfter.\n"
    )
    text = rendered(body)
    assert '```ruby\ndef show\n  puts "{{ page.title }}"\n  # {% if x %}\nend\n```' in text
    html = markdown_html(text)
    assert "<pre><code" in html and "{{ page.title }}" in html and "{% if x %}" in html
    assert "<p>After.</p>" in html
    assert expand(body).warnings == ()


def test_highlight_with_raw_inside_shows_the_tags_without_the_raw_markers() -> None:
    # The shape of a theme's sample post: Liquid shown in a highlight block, wrapped in raw.
    body = (
        '{% highlight html %}\n{% raw %}\n<a href="{{ site.url }}{{ page.next.url }}">Next</a>'
        "\n{% endraw %}\n{% endhighlight %}\n"
    )
    text = rendered(body)
    assert '<a href="{{ site.url }}{{ page.next.url }}">Next</a>' in text
    assert "raw %}" not in text
    assert expand(body).warnings == ()


def test_a_fence_inside_highlight_gets_a_longer_fence() -> None:
    text = rendered("{% highlight markdown %}\n```\ncode\n```\n{% endhighlight %}\n")
    assert "````markdown\n```\ncode\n```\n````" in text
    assert markdown_html(text) == "<pre><code>```\ncode\n```\n</code></pre>"


def test_raw_keeps_its_contents_literally() -> None:
    body = "Write {% raw %}{{ site.url }}{% post_url x %}{% endraw %} in a template.\n"
    result = expand(body, links=links, params=PARAMS)
    assert result.text == "Write {{ site.url }}{% post_url x %} in a template.\n"
    assert result.warnings == () and result.links == ()


def test_post_url_and_link_become_the_other_posts_url() -> None:
    body = (
        "See [the first]({% post_url 2010-07-21-name %}), "
        "[again]({{ site.baseurl }}{% post_url 2010-07-21-name %}), "
        "[and]({{ site.url }}{{ site.baseurl }}{% link _posts/2010-07-21-name.md %}).\n"
    )
    url = BASE + "2010/07/name.html"
    assert rendered(body) == f"See [the first]({url}), [again]({url}), [and]({url}).\n"
    assert expand(body).links == (
        (1, "post_url", "2010-07-21-name"),
        (1, "post_url", "2010-07-21-name"),
        (1, "link", "_posts/2010-07-21-name.md"),
    )


def test_a_link_tag_without_a_resolver_is_no_url_and_no_warning() -> None:
    result = expand("[x]({% post_url 2010-07-21-gone %})\n")
    assert result.text == f"[x]({UNRESOLVED}post_url)\n"
    assert result.warnings == ()
    assert 'href="' not in markdown_html(result.text)  # nh3 drops the unknown scheme


def test_a_link_to_no_post_is_removed_with_a_warning_naming_its_line() -> None:
    body = "Intro.\n\nSee {% post_url 2010-07-21-gone %} and\n{% link _posts/missing.md %}.\n"
    result = expand(body, links=links, params=PARAMS)
    assert result.text == "Intro.\n\nSee  and\n.\n"
    assert [line for line, _ in result.warnings] == [3, 4]
    assert result.warnings[0][1].startswith(
        "{% post_url 2010-07-21-gone %} names no post of this site; removed — "
    )


def test_include_is_removed_with_a_warning() -> None:
    body = 'Text.\n{% include image.html url="/img/a.png" %}\nMore.\n'
    result = expand(body)
    assert result.text == "Text.\n\nMore.\n"
    assert result.warnings == (
        (2, "{% include image.html %} names a file of Jekyll's _includes/, which scofeed does "
            "not have; removed — write what it showed into the post"),
    )  # fmt: skip


def test_output_tags_and_their_filters() -> None:
    body = (
        "![a]({{ \"/img/a.png\" | relative_url }}) ![b]({{ 'img/b.png' | absolute_url }}) "
        "[c]({{ site.baseurl }}/about/) {{ page.title | escape }} {{ page.url | absolute_url }} "
        '{{ site.title | append: " news" | upcase }}\n'
    )
    assert rendered(body) == (
        "![a](/sco/img/a.png) ![b](https://example.org/sco/img/b.png) [c](/sco/about/) "
        "A &lt;b&gt;post&lt;/b&gt; https://example.org/sco/2010/07/first.html SCO NEWS\n"
    )
    assert expand(body).warnings == ()  # known values: no word when only warnings are wanted


def test_unknown_values_and_filters_are_removed_with_a_warning() -> None:
    body = "A {{ site.repository }} B\n{{ page.title | date: '%Y' }} C {{ post.title }}\n"
    result = expand(body, params=PARAMS)
    assert result.text == "A  B\n C \n"
    assert [(line, msg.split(";")[0]) for line, msg in result.warnings] == [
        (1, "{{ site.repository }} is a value of the old site's _config.yml scofeed has not"),
        (2, "{{ … | date }} is a Liquid filter scofeed does not apply"),
        (2, "{{ post.title }} is a value scofeed does not know"),
    ]
    assert expand(body).warnings == result.warnings


def test_comment_goes_silently_and_control_flow_goes_with_a_warning_its_text_kept() -> None:
    body = (
        "{% comment %}\nA note to self {{ x }}.\n{% endcomment %}\n"
        "{% if site.comments %}\nComments are on.\n{% else %}Off.{% endif %}\n"
        "{%- assign n = 3 -%}\nThree.\n"
    )
    result = expand(body)
    assert result.text == "\n\nComments are on.\nOff.Three.\n"  # {%- -%} trim white space
    assert [(line, msg.split(" is ")[0]) for line, msg in result.warnings] == [
        (4, "{% if %}"), (6, "{% else %}"), (6, "{% endif %}"), (7, "{% assign %}"),
    ]  # fmt: skip
    assert "(the text between its tags is kept)" in result.warnings[0][1]


def test_other_liquid_tags_are_removed_with_a_warning() -> None:
    result = expand("A {% gallery photos %} B\n")
    assert result.text == "A  B\n"
    assert result.warnings == (
        (1, "{% gallery %} is a Liquid tag scofeed does not render; removed — write the HTML or "
            "Markdown it stood for"),
    )  # fmt: skip


def test_jekyll_gist_and_video_tags_become_links() -> None:
    text = rendered("{% gist parkr/c08ee0f2726fd0e3909d test.md %}\n\n{% youtube dQw4w9WgXcQ %}\n")
    assert 'href="https://gist.github.com/parkr/c08ee0f2726fd0e3909d#file-test-md"' in text
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in text


# --- Hugo -------------------------------------------------------------------------------------


def test_figure_with_every_argument_becomes_html_with_a_markdown_caption() -> None:
    body = (
        'Intro.\n{{< figure src="/images/zion.jpg" alt="Zion" title="Zion \\"NP\\""\n'
        '    link="https://www.nps.gov/zion/" width="640" height="x"\n'
        '    caption="Taken in *May*, see [the park](https://www.nps.gov/)" attr="Ann" '
        'attrlink="https://example.com/ann" >}}\nAfter.\n'
    )
    html = markdown_html(rendered(body), base=BASE + "2010/07/x.html")
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    figure = root.find("figure")
    assert figure is not None
    img = figure.find("a/img")
    assert img is not None and figure.find("a").get("href") == "https://www.nps.gov/zion/"
    assert img.get("src") == "https://example.org/images/zion.jpg"  # absolute for readers
    assert (img.get("alt"), img.get("width"), img.get("height")) == ("Zion", "640", None)
    assert figure.findtext("figcaption/h4") == 'Zion "NP"'
    caption = figure.find("figcaption/p")
    assert caption is not None and caption.find("em").text == "May"
    assert [a.get("href") for a in caption.iter("a")] == [
        "https://www.nps.gov/", "https://example.com/ann",
    ]  # fmt: skip
    assert root.xpath("string(p[1])") == "Intro." and root.xpath("string(p[last()])") == "After."


def test_figure_without_src_is_removed_with_a_warning() -> None:
    result = expand('{{< figure caption="x" >}}\n')
    assert result.text.strip() == ""
    assert result.warnings[0][1].startswith("{{< figure >}} has no src; removed")


def test_videos_become_a_linked_still_or_a_link_that_survive_the_sanitiser() -> None:
    body = (
        '{{< youtube w7Ft2ymGmfc >}}\n\n{{< youtube id="w7Ft2ymGmfc" title="A talk" >}}\n\n'
        '{{< vimeo 146022717 >}}\n\n{{< youtube "bad id!" >}}\n'
    )
    result = expand(body, links=links, params=PARAMS)
    html = markdown_html(result.text)
    watch = "https://www.youtube.com/watch?v=w7Ft2ymGmfc"
    assert html.count(f'<a href="{watch}"><img src="https://i.ytimg.com/vi/w7Ft2ymGmfc/') == 2
    assert "▶ Watch “A talk” on YouTube" in html
    assert '<a href="https://vimeo.com/146022717">▶ Watch the video on Vimeo</a>' in html
    assert "iframe" not in html
    assert result.warnings == (
        (7, "{{< youtube >}} names no youtube item scofeed can link to; removed — give its id "
            "as the site's address shows it"),
    )  # fmt: skip


def test_gist_and_tweet_become_links() -> None:
    text = rendered(
        '{{< gist spf13 7896402 "img.html" >}} {{< gist spf13 7896402 >}}\n'
        '{{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}\n'
    )
    assert 'href="https://gist.github.com/spf13/7896402#file-img-html"' in text
    assert (
        '<a href="https://gist.github.com/spf13/7896402">Gist spf13/7896402 on GitHub</a>' in text
    )
    assert 'href="https://x.com/SanDiegoZoo/status/1453110110599868418"' in text


def test_ref_and_relref_become_the_posts_url_with_its_fragment() -> None:
    body = (
        '[a]({{< ref "posts/other.md" >}}) [b]({{< relref path="posts/other.md#part-2" >}}) '
        '[c]({{< ref "#here" >}}) [d]({{% ref "gone.md" %}})\n'
    )
    result = expand(body, links=links, params=PARAMS)
    other = BASE + "2011/01/other.html"
    assert result.text == f"[a]({other}) [b]({other}#part-2) [c](#here) [d]()\n"
    assert result.warnings == (
        (1, '{{< ref "gone.md" >}} names no post of this site; removed — give a post\'s path '
            "below posts/, its file name, or its bundle's folder"),
    )  # fmt: skip


def test_highlight_shortcode_becomes_a_fenced_block() -> None:
    body = (
        '{{< highlight go "linenos=table,hl_lines=8 15-17" >}}\nfunc main() {\n'
        '\tfmt.Println("{{< x >}}")\n}\n{{< /highlight >}}\n'
    )
    assert rendered(body) == '\n```go\nfunc main() {\n\tfmt.Println("{{< x >}}")\n}\n```\n\n'


def test_param_reads_the_page_then_the_site() -> None:
    body = '{{< param title >}} / {{< param "Title" >}} / {{< param "Description" >}} / '
    result = expand(body + "{{< param mood >}}\n", params={**PARAMS, "site.description": "D"})
    assert result.text == "A <b>post</b> / A <b>post</b> / D / \n"
    assert result.warnings[0][1].startswith(
        "{{< param mood >}} names a value scofeed does not know"
    )


def test_unknown_shortcodes_go_with_one_warning_and_their_inner_text_stays() -> None:
    body = (
        '{{< alert "lightbulb" >}}\nMind the **gap**.\n{{< /alert >}}\n'
        "{{% notice warning %}}Careful.{{% /notice %}}\n{{< disclaimer_25 />}}\n{{< /orphan >}}\n"
    )
    result = expand(body)
    assert result.text == "\nMind the **gap**.\n\nCareful.\n\n\n"
    assert [(line, msg.split(" is ")[0].split(" closes")[0]) for line, msg in result.warnings] == [
        (1, "{{< alert >}}"), (4, "{{% notice %}}"), (5, "{{< disclaimer_25 >}}"),
        (6, "{{< /orphan >}}"),
    ]  # fmt: skip


def test_hugos_comment_form_shows_the_shortcode_itself() -> None:
    body = (
        'Write {{</* figure src="a.jpg" */>}} or {{%/* note */%}}.\n\n'
        '```text\n{{</* figure\n  src="/images/zion.jpg"\n*/>}}\n```\n'
    )
    result = expand(body)
    assert result.text == (
        'Write {{< figure src="a.jpg" >}} or {{% note %}}.\n\n'
        '```text\n{{< figure\n  src="/images/zion.jpg"\n>}}\n```\n'
    )
    assert result.warnings == ()


def test_arguments_quoted_raw_and_named() -> None:
    text = rendered('{{< figure src=`C:\\img\\"a".png` caption="say \\"hi\\"" >}}\n')
    assert 'src="C:\\img\\&quot;a&quot;.png"' in text
    assert 'say "hi"' in text


# --- code keeps what it shows -----------------------------------------------------------------


def test_tags_in_code_blocks_and_spans_are_left_as_they_are() -> None:
    body = (
        "Use `{% include x.html %}` or ``{{< youtube `id` >}}``.\n\n"
        "```liquid\n{% for post in site.posts %}{{ post.title }}{% endfor %}\n```\n\n"
        "~~~~\n{{< gist a 1 >}}\n~~~~\n\n"
        "    {% post_url 2010-07-21-name %}\n    {{ site.url }}\n\n"
        "- item\n\n      {{< indented in a list >}}\n\n"
        "Then {{ site.url }}.\n"
    )
    result = expand(body, links=links, params=PARAMS)
    kept = body.replace("Then {{ site.url }}.", "Then https://example.org.")
    assert result.text == kept
    assert result.warnings == () and result.links == ()


def test_raw_markers_in_code_are_removed() -> None:
    body = "`{% raw %}{{ x }}{% endraw %}`\n\n```\n{%- raw -%}\n{% if a %}\n{% endraw %}\n```\n"
    assert expand(body).text == "`{{ x }}`\n\n```\n\n{% if a %}\n\n```\n"


def test_a_list_paragraph_is_no_code() -> None:
    body = "1. Step\n\n    See {% post_url 2010-07-21-name %}.\n"
    assert rendered(body) == f"1. Step\n\n    See {BASE}2010/07/name.html.\n"


def test_an_html_post_has_no_markdown_code() -> None:
    body = "<div>\n    {% include x %}\n    `{{ site.url }}`\n</div>\n"
    body += "{% highlight c %}a < b{% endhighlight %}\n"
    result = expand(body, params=PARAMS, markup="html")
    assert result.text == (
        "<div>\n    \n    `https://example.org`\n</div>\n"
        '\n<pre><code class="language-c">a &lt; b</code></pre>\n\n'
    )
    assert len(result.warnings) == 1


# --- hostile input ----------------------------------------------------------------------------


def test_unclosed_tags_are_removed_and_the_rest_kept() -> None:
    body = (
        'A {% if\n\nB {{ site.url\n\nC {{< figure src="x"\n\nD {% highlight go %}\ncode\n\n'
        "E {% raw %}kept {{ }}\n\nF {{< highlight go >}}\nx\n"
    )
    result = expand(body, params=PARAMS)
    assert result.text == (
        'A  if\n\nB  site.url\n\nC  figure src="x"\n\nD \ncode\n\nE kept \n\nF \nx\n'
    )
    assert [line for line, _ in result.warnings] == [1, 3, 5, 7, 10, 10, 12]
    assert result.warnings[5][1].startswith("{{  }} is Liquid scofeed cannot read; removed")
    assert sum("never closed" in msg for _, msg in result.warnings) == 6


def test_a_tag_that_opens_inside_another_leaves_the_first_unclosed() -> None:
    result = expand('{{< a {{< figure src="x.png" >}}\n')
    assert '<img src="x.png"' in result.text
    assert result.warnings[0][1].startswith("{{< is a Hugo shortcode that is never closed")


def test_nested_shortcodes() -> None:
    body = "{{< outer >}}{{< inner >}}{{< youtube abc >}}{{< /inner >}}{{< /outer >}}\n"
    result = expand(body)
    assert result.text.startswith('<a href="https://www.youtube.com/watch?v=abc">')
    assert len(result.warnings) == 2


def test_warnings_are_capped_with_a_count_of_the_rest() -> None:
    body = "{% x %}\n" * (MAX_WARNINGS + 7)
    result = expand(body)
    assert len(result.warnings) == MAX_WARNINGS + 1
    assert result.warnings[-1] == (
        MAX_WARNINGS, "and 7 more Liquid tags or Hugo shortcodes, removed as above"
    )  # fmt: skip


def test_megabytes_of_openers_take_one_pass() -> None:
    # Each opener looks for its closing mark once in all (`_Next`): searched again from each
    # of the 1.4 million openers, this would run for hours.
    for unit in ("{{<", "{{%", "{%", "{{ a", "{{</*", "`{{<", "{% raw %}", "{{< highlight >}}"):
        size = (4 if unit == "{{<" else 1) * 1024 * 1024
        body = unit * (size // len(unit)) + ">}}"
        result = expand(body)
        assert len(result.warnings) == MAX_WARNINGS + 1
        assert "{{<" not in result.text.replace("{{</*", "") or unit.startswith(("`", "{{</*"))


# --- the resolver and the values a build gives ------------------------------------------------


def test_refs_find_posts_by_every_name_a_tag_gives(project: Callable[..., Config]) -> None:
    config = project(
        {
            "2010-07-21-name.md": "---\ntitle: A\n---\nA.\n",
            "blog/11-S3/index.md": "---\ntitle: B\ndate: 2011-01-02\n---\nB.\n",
            "blog/sibling.md": "---\ntitle: C\ndate: 2012-01-02\n---\nC.\n",
            "other/sibling.md": "---\ntitle: D\ndate: 2013-01-02\n---\nD.\n",
            "draft.md": "---\ntitle: E\ndate: 2014-01-02\ndraft: true\n---\nE.\n",
        },
        toml=f'base_url = "{BASE}"\n',
    )
    posts, problems = load_posts(config.posts_dir, tz=config.tzinfo)
    assert not problems
    now = datetime(2030, 1, 1, tzinfo=UTC)
    refs = Refs([p for p in posts if p.is_published(now)], config)
    first = BASE + "2010/07/name.html"
    bundle = BASE + "2011/01/11-S3.html"
    assert refs.resolve("post_url", "2010-07-21-name") == first
    assert refs.resolve("post_url", "/2010/2010-07-21-name") == first
    assert refs.resolve("link", "_posts/2010-07-21-name.md") == first
    assert refs.resolve("ref", "posts/2010-07-21-name.md") == first
    assert refs.resolve("ref", "2010-07-21-name") == first
    assert refs.resolve("relref", "/posts/blog/11-s3/#glacier") == bundle + "#glacier"
    assert refs.resolve("ref", "11-s3") == bundle
    assert refs.resolve("ref", "blog/11-S3/index.md") == bundle
    assert refs.resolve("ref", "sibling.md") is None  # two posts answer to it: neither
    by_path = {p.path.rpartition("posts/")[2]: p for p in posts}
    beside = refs.links_for(by_path["blog/11-S3/index.md"])
    assert beside("ref", "sibling.md") == BASE + "2012/01/sibling.html"
    assert refs.resolve("ref", "draft.md") is None  # a link to a draft would lead nowhere
    found = expand('{{< ref "11-s3" >}} {{< ref "#top" >}}\n{{< ref "gone" >}}\n').links
    assert refs.broken(by_path["blog/sibling.md"], found) == [
        (2, '{{< ref "gone" >}} names no post of this site; removed — give a post\'s path below '
            "posts/, its file name, or its bundle's folder"),
    ]  # fmt: skip
    params = page_params(by_path["2010-07-21-name.md"], config)
    assert (params["site.url"], params["site.baseurl"]) == ("https://example.org", "/sco")
    assert params["page.url"] == "/2010/07/name.html"


# --- a build ----------------------------------------------------------------------------------

JEKYLL_POST = """---
layout: post
title: "Jekyll post"
date: 2010-07-21 10:00:00 +0000
---
Read [the Hugo post]({% post_url 2011-02-03-hugo-target %}) first.

{% highlight ruby %}
puts "{% raw %}{{ page.title }}{% endraw %}"
{% endhighlight %}

{% raw %}Liquid looks like {% this %}.{% endraw %}

{% include footer.html %}

![logo]({{ "/img/logo.png" | relative_url }})
"""

HUGO_TARGET = """---
title: "Hugo target"
date: 2011-02-03
---
Target.
"""

HUGO_POST = """---
title: "Hugo post"
date: 2012-03-04T10:00:00Z
---
Back to [the Jekyll post]({{< ref "2010-07-21-jekyll-post.md" >}}).

{{< figure src="cover.jpg" alt="A cover" caption="The *cover*" >}}

{{< youtube w7Ft2ymGmfc >}}

{{< highlight go >}}
fmt.Println("{{</* youtube x */>}}")
{{< /highlight >}}

{{< notice info >}}
Kept text.
{{< /notice >}}

Shown as code: `{{< youtube x >}}`.
"""


def test_a_build_publishes_rendered_tags_and_links_to_the_other_posts(tmp_path: Path) -> None:
    (tmp_path / "posts" / "hugo-post").mkdir(parents=True)
    (tmp_path / "posts/2010-07-21-jekyll-post.md").write_text(JEKYLL_POST, encoding="utf-8")
    (tmp_path / "posts/2011-02-03-hugo-target.md").write_text(HUGO_TARGET, encoding="utf-8")
    (tmp_path / "posts/hugo-post/index.md").write_text(HUGO_POST, encoding="utf-8")
    (tmp_path / "posts/hugo-post/cover.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (tmp_path / "scofeed.toml").write_text(f'base_url = "{BASE}"\n', encoding="utf-8")
    result = run_cli("build", "--now", "2026-01-01T00:00:00Z", cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    feed = feedparser.parse((tmp_path / "output/atom.xml").read_bytes())
    assert not feed.bozo
    entries = {e.title: e for e in feed.entries}
    jekyll = entries["Jekyll post"].content[0].value
    hugo = entries["Hugo post"].content[0].value
    target = entries["Hugo target"].link
    assert target == BASE + "2011/02/hugo-target.html"
    assert f'<a href="{target}">the Hugo post</a>' in jekyll
    assert f'<a href="{entries["Jekyll post"].link}">the Jekyll post</a>' in hugo
    assert 'puts "{{ page.title }}"' in jekyll and "<pre><code" in jekyll
    assert "Liquid looks like {% this %}." in jekyll
    assert f'src="{BASE}img/logo.png"' in jekyll
    figure = lxml_html.fromstring(hugo).find(".//figure")
    assert figure is not None and figure.find("img").get("src") == f"{BASE}2012/03/cover.jpg"
    assert figure.find("figcaption/p/em").text == "cover"
    assert (tmp_path / "output/2012/03/cover.jpg").is_file()
    assert 'href="https://www.youtube.com/watch?v=w7Ft2ymGmfc"' in hugo
    assert 'fmt.Println("{{&lt; youtube x &gt;}}")' in hugo
    assert "Kept text." in hugo and "notice" not in hugo

    page = (tmp_path / "output/2012/03/hugo-post.html").read_text(encoding="utf-8")
    assert "<figure>" in page and "w7Ft2ymGmfc" in page
    assert f'href="{entries["Jekyll post"].link}"' in page
    for html in (jekyll, hugo, page):
        root = lxml_html.fromstring(html)
        for code in root.xpath("//code|//pre|//script"):
            code.drop_tree()
        # What {% raw %} kept is the one tag-like text meant to show.
        outside = root.text_content().replace("Liquid looks like {% this %}.", "")
        assert not re.search(r"\{%|\{\{[<%]|\{\{ ", outside), outside
        assert UNRESOLVED not in html
