using System.Text.Json;
using SkyServe.Inference.ChatTemplates;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.ChatTemplates;

/// <summary>The Jinja subset, case by case, with the output Jinja gives under Hugging Face's settings.</summary>
public sealed class JinjaSyntaxTests
{
    private static readonly Dictionary<string, object?> Context = new()
    {
        ["name"] = "World",
        ["items"] = new[] { 1, 2, 3 },
        ["user"] = JsonDocument.Parse("""{"name": "Ann", "tags": ["a", "b"]}""").RootElement,
        ["users"] = JsonDocument.Parse("""[{"name": "Ann", "age": 30}, {"name": "Bo", "age": 25}, {"name": "Cy"}]""").RootElement,
    };

    [Theory]
    // trim_blocks: the newline after a block or comment tag goes; after {{ }} it stays.
    [InlineData("{% if true %}\nyes\n{% endif %}\nafter", "yes\nafter")]
    [InlineData("{{ 'a' }}\n{{ 'b' }}", "a\nb")]
    [InlineData("{# note #}\nx", "x")]
    // lstrip_blocks: blanks before a block tag at the start of a line go; not before {{ }} or mid-line.
    [InlineData("  {% if true %}x{% endif %}", "x")]
    [InlineData("a\n    {% if true %}x\n    {% endif %}b", "a\nx\nb")]
    [InlineData("a  {% if true %}x{% endif %}", "a  x")]
    [InlineData("  {{ 'x' }}", "  x")]
    // - strips all whitespace on its side, + keeps it.
    [InlineData("a\n    {%- if true -%}\n  x  \n{%- endif %}", "ax")]
    [InlineData("a {{- ' b ' -}} c", "a b c")]
    [InlineData("  {%+ if true %}x{% endif %}", "  x")]
    [InlineData("{% if true +%}\nx{% endif %}", "\nx")]
    [InlineData("a {#- note -#} b", "ab")]
    // Newlines are normalized and one trailing newline is dropped.
    [InlineData("line\n", "line")]
    [InlineData("line\n\n", "line\n")]
    [InlineData("a\r\nb", "a\nb")]
    public void Whitespace_control(string source, string expected) => AssertRenders(source, expected);

    [Theory]
    [InlineData("{{ 1 + 2 * 3 }}", "7")]
    [InlineData("{{ (1 + 2) * 3 }}", "9")]
    [InlineData("{{ 7 / 2 }} {{ 4 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }}", "3.5 2.0 3 -4 2 1024")]
    [InlineData("{{ 0.1 + 0.2 }} {{ 1e3 }} {{ 1.5e-7 }} {{ 1_000 }}", "0.30000000000000004 1000.0 1.5e-07 1000")]
    [InlineData("{{ 'ab' * 2 }}{{ 'x' + 'y' }}", "ababxy")]
    [InlineData("{{ 'a' ~ 1 ~ none ~ true ~ missing }}", "a1NoneTrue")]
    [InlineData("{{ [1, 'a', none, true, 2.5] }}", "[1, 'a', None, True, 2.5]")]
    [InlineData("{{ {'a': 1, 'b': [\"it's\"]} }}", "{'a': 1, 'b': [\"it's\"]}")]
    [InlineData("{{ (1,) }} {{ (1, 2) }} {{ () }}", "(1,) (1, 2) ()")]
    [InlineData("{{ 'a\\nb' }}|{{ \"\\u00e9\\x41\\t\" }}|{{ 'it\\'s' }}", "a\nb|éA\t|it's")]
    [InlineData("{{ 'con' 'cat' }}", "concat")]
    [InlineData("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'b' }}", "True False True True True")]
    [InlineData("{{ 'a' in 'cat' }} {{ 2 not in [1, 2] }} {{ 'name' in user }} {{ not 'x' in 'abc' }}", "True False True True")]
    [InlineData("{{ none or 'x' }} {{ 0 and 'x' }} {{ 'a' and 'b' }} {{ not '' }}", "x 0 b True")]
    [InlineData("{{ 'yes' if items else 'no' }}|{{ 'yes' if false }}|", "yes||")]
    [InlineData("{{ -items[0] }} {{ -1 | abs }}", "-1 1")]
    public void Expressions(string source, string expected) => AssertRenders(source, expected);

    [Theory]
    [InlineData("{{ user.name }} {{ user['name'] }} {{ user.tags[-1] }} {{ user.tags.0 }}", "Ann Ann b a")]
    [InlineData("{{ items[1:] }} {{ items[:-1] }} {{ items[::-1] }} {{ items[5:] }}", "[2, 3] [1, 2] [3, 2, 1] []")]
    [InlineData("{{ 'hello'[1:3] }}{{ 'hello'[-1] }}", "elo")]
    [InlineData("[{{ user.missing }}] {{ user.missing is defined }} {{ items[9] is defined }}", "[] False False")]
    [InlineData("{{ messages[0].role }}:{{ messages[0]['content'] }}", "user:Hi")]
    [InlineData("{{ '  x  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ ' a '.lstrip() }}|{{ ' a '.rstrip() }}", "x|a|a | a")]
    [InlineData("{{ 'a,b,,c'.split(',') }} {{ ' a b\\n c '.split() }} {{ 'a b c'.split(' ', 1) }}", "['a', 'b', '', 'c'] ['a', 'b', 'c'] ['a', 'b c']")]
    [InlineData("{{ 'abc'.startswith('ab') }} {{ 'abc'.startswith(('x', 'a')) }} {{ 'abc'.endswith('bc') }}", "True True True")]
    [InlineData("{{ 'Hi'.upper() }}{{ 'Hi'.lower() }} {{ 'a-b'.replace('-', '+') }} {{ 'banana'.count('an') }} {{ 'banana'.find('n') }}", "HIhi a+b 2 2")]
    [InlineData("{{ user.get('name') }} {{ user.get('x', 'd') }} {{ user.get('x') }}", "Ann d None")]
    [InlineData("{{ user.keys() | list }} {{ user.items() | list | length }}", "['name', 'tags'] 2")]
    [InlineData("{{ ', '.join(['a', 'b']) }}", "a, b")]
    public void Lookups_and_methods(string source, string expected) => AssertRenders(source, expected);

    [Theory]
    [InlineData("{{ '  x \\n'|trim }}|{{ 'xax'|trim('x') }}", "x|a")]
    [InlineData("{{ items|length }} {{ 'héllo'|length }} {{ user|count }} {{ missing|length }}", "3 5 2 0")]
    [InlineData("{{ items|join(', ') }} {{ items|join }} {{ users|join('/', attribute='name') }}", "1, 2, 3 123 Ann/Bo/Cy")]
    [InlineData("{{ items|first }}-{{ items|last }}-{{ 'abc'|first }}", "1-3-a")]
    [InlineData("{{ missing|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ none|d('n', boolean=true) }}", "d  d n")]
    [InlineData("{{ 'ab'|upper }}{{ 'AB'|lower }} {{ 'hello wORLD'|title }} {{ 'hello'|capitalize }}", "ABab Hello World Hello")]
    [InlineData("{{ 'a-b-c'|replace('-', '+') }} {{ 'a-b-c'|replace('-', '', 1) }}", "a+b+c ab-c")]
    [InlineData("{{ items|map('string')|join }} {{ users|map(attribute='age', default=0)|list }}", "123 [30, 25, 0]")]
    [InlineData("{{ items|select('odd')|list }} {{ items|reject('odd')|list }} {{ items|select('greaterthan', 1)|list }}", "[1, 3] [2] [2, 3]")]
    [InlineData("{{ users|selectattr('age')|map(attribute='name')|list }} {{ users|rejectattr('age', 'defined')|map(attribute='name')|first }}", "['Ann', 'Bo'] Cy")]
    [InlineData("{{ users|selectattr('name', 'equalto', 'Bo')|list|length }} {{ users|selectattr('name', '==', 'Bo')|first|tojson }}", """1 {"name": "Bo", "age": 25}""")]
    [InlineData("{{ items|sum }} {{ users[:2]|sum(attribute='age', start=5) }} {{ items|max }} {{ items|min }}", "6 60 3 1")]
    [InlineData("{{ [3, 1, 2]|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ ['b', 'A', 'c']|sort }} {{ users|sort(attribute='name')|map(attribute='name')|join }}", "[1, 2, 3] [3, 2, 1] ['A', 'b', 'c'] AnnBoCy")]
    [InlineData("{{ items|reverse|list }} {{ 'abc'|reverse }} {{ [1, 2, 2, 1]|unique|list }} {{ 'ab'|list }}", "[3, 2, 1] cba [1, 2] ['a', 'b']")]
    [InlineData("{{ 42|string ~ '!' }} {{ 3.7|int }} {{ '5'|int + 1 }} {{ 'x'|int(7) }} {{ '2.5'|float }} {{ 2.567|round(2) }} {{ 2.5|round }} {{ 7|round }}", "42! 3 6 7 2.5 2.57 2.0 7")]
    [InlineData("{{ user|items|list }}", "[('name', 'Ann'), ('tags', ['a', 'b'])]")]
    [InlineData("{% for k, v in {'b': 1, 'A': 3, 'c': 2}|dictsort %}{{ k }}{{ v }}{% endfor %} {{ {'b': 1, 'a': 3}|dictsort(by='value', reverse=true) }}", "A3b1c2 [('a', 3), ('b', 1)]")]
    [InlineData("{{ user|tojson }}", """{"name": "Ann", "tags": ["a", "b"]}""")]
    [InlineData("{{ user|tojson(indent=2) }}", "{\n  \"name\": \"Ann\",\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ]\n}")]
    [InlineData("{{ {'b': 1, 'a': [], 'c': {}}|tojson(sort_keys=true) }}", """{"a": [], "b": 1, "c": {}}""")]
    [InlineData("{{ 'é\"\\n\\u0001'|tojson }} {{ 'é'|tojson(ensure_ascii=true) }} {{ [1.0, none, true]|tojson }}", "\"é\\\"\\n\\u0001\" \"\\u00e9\" [1.0, null, true]")]
    [InlineData("{{ 'one\\ntwo\\n\\nthree'|indent(2) }}|{{ 'a\\nb'|indent(first=true) }}", "one\n  two\n\n  three|    a\n    b")]
    [InlineData("{{ 'a b  c'|wordcount }} {{ 'x'|safe }}", "3 x")]
    public void Filters(string source, string expected) => AssertRenders(source, expected);

    [Theory]
    [InlineData("{{ 'x' is string }} {{ 1 is string }} {{ 1 is number }} {{ 1.5 is float }} {{ 1 is integer }} {{ true is boolean }}", "True False True True True True")]
    [InlineData("{{ user is mapping }} {{ items is mapping }} {{ items is iterable }} {{ 'x' is iterable }} {{ 1 is iterable }} {{ items is sequence }}", "True False True True False True")]
    [InlineData("{{ none is none }} {{ missing is not defined }} {{ missing is undefined }} {{ name is defined }}", "True True True True")]
    [InlineData("{{ 4 is divisibleby 2 }} {{ 4 is divisibleby(3) }} {{ 3 is odd }} {{ 3 is even }}", "True False True False")]
    [InlineData("{{ 1 is eq 1 }} {{ 2 is gt 1 }} {{ 2 is in items }} {{ 'abc' is lower }} {{ 'ABC' is upper }}", "True True True True True")]
    [InlineData("{{ false is sameas false }} {{ none is sameas none }} {{ raise_exception is callable }} {{ 'trim' is filter }}", "True True True True")]
    public void Tests(string source, string expected) => AssertRenders(source, expected);

    [Theory]
    [InlineData("{% for x in items %}{{ loop.index }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}", "11,22,33")]
    [InlineData("{% for x in items %}{{ loop.index0 }}{{ loop.first }}{{ loop.revindex }}{{ loop.length }} {% endfor %}", "0True33 1False23 2False13 ")]
    [InlineData("{% for x in items %}{{ loop.previtem|default('-') }}{{ loop.nextitem|default('-') }} {% endfor %}", "-2 13 2- ")]
    [InlineData("{% for x in items %}{{ loop.cycle('a', 'b') }}{% endfor %}", "aba")]
    [InlineData("{% for k, v in user.items() %}{{ k }}={{ v }};{% endfor %}", "name=Ann;tags=['a', 'b'];")]
    [InlineData("{% for (k, v) in user|items %}{{ k }}{% endfor %}", "nametags")]
    [InlineData("{% for key in user %}{{ key }} {% endfor %}", "name tags ")]
    [InlineData("{% for c in 'ab' %}{{ c }}.{% endfor %}", "a.b.")]
    [InlineData("{% for x in [] %}x{% else %}empty{% endfor %}", "empty")]
    [InlineData("{% for x in missing %}x{% else %}none{% endfor %}", "none")]
    [InlineData("{% for x in items if x > 1 %}{{ loop.index }}:{{ x }}/{{ loop.length }} {% endfor %}", "1:2/2 2:3/2 ")]
    [InlineData("{% for x in items %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% endfor %}", "13")]
    [InlineData("{% for x in items %}{% if x == 2 %}{% break %}{% endif %}{{ x }}{% endfor %}", "1")]
    [InlineData("{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{{ b }}{% endfor %}{{ loop.index }} {% endfor %}", "1x2y1 1x2y2 ")]
    [InlineData("{% for m in messages %}{{ m.role }}{% endfor %}", "user")]
    public void Loops(string source, string expected) => AssertRenders(source, expected);

    [Theory]
    // A {% set %} inside a loop does not outlive the iteration; a namespace attribute does.
    [InlineData("{% set x = 1 %}{% for i in items %}{% set x = i %}{% endfor %}{{ x }}", "1")]
    [InlineData("{% set count = 0 %}{% for i in items %}{% set count = count + 1 %}{{ count }}{% endfor %}", "111")]
    [InlineData("{% set ns = namespace(total=0, found=false) %}{% for i in items %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }} {{ ns.found }}", "6 False")]
    [InlineData("{% set ns = namespace() %}{% set ns.x = 'v' %}{{ ns.x }}", "v")]
    [InlineData("{% if true %}{% set x = 5 %}{% endif %}{{ x }}", "5")]
    [InlineData("{% set a, b = 1, 2 %}{{ b }}{{ a }}", "21")]
    [InlineData("{% set x %}hi {{ name }}{% endset %}[{{ x }}]", "[hi World]")]
    [InlineData("{% set name = 'shadow' %}{{ name }}", "shadow")]
    [InlineData("{% macro greet(who, punct='!') %}Hello {{ who }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bo', punct='?') }} {{ greet(who=name) }}", "Hello Ann! Hello Bo? Hello World!")]
    [InlineData("{% macro show(x) %}[{{ x }}]{% endmacro %}{% for i in items %}{{ show(i) }}{% endfor %}", "[1][2][3]")]
    [InlineData("{{ range(3)|list }} {{ range(1, 7, 2)|join(',') }} {{ range(3, 0, -1)|list }}", "[0, 1, 2] 1,3,5 [3, 2, 1]")]
    [InlineData("{{ dict(a=1).a }} {{ dict({'b': 2}, c=3)|tojson }}", """1 {"b": 2, "c": 3}""")]
    [InlineData("{% generation %}text{% endgeneration %}", "text")]
    [InlineData("{{ '}}' }}{{ {'a': {'b': 1}}['a']['b'] }}{{ '{%' }}", "}}1{%")]
    [InlineData("{{ bos_token }}|{{ eos_token }}|{{ tools }}|{{ add_generation_prompt }}", "||None|False")]
    public void Variables_scopes_macros_and_globals(string source, string expected) => AssertRenders(source, expected);

    [Fact]
    public void Strftime_now_reads_the_injected_clock()
    {
        var clock = new ManualClock(new DateTimeOffset(2025, 3, 9, 12, 0, 0, TimeSpan.Zero));
        var template = ChatTemplate.Parse("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %B %-d, %Y %%') }}|{{ strftime_now('%Y-%m-%d') }}", clock);

        Assert.Equal("09 Mar 2025|Sunday March 9, 2025 %|2025-03-09", template.Render([], addGenerationPrompt: false));
    }

    [Fact]
    public void Extra_values_of_many_kinds_become_template_values()
    {
        var template = ChatTemplate.Parse("{{ a }} {{ b }} {{ c }} {{ d }} {{ e }} {{ f|tojson }} {{ g.k }} {{ h is none }}");
        var extra = new Dictionary<string, object?>
        {
            ["a"] = 5,
            ["b"] = 2.5f,
            ["c"] = true,
            ["d"] = 'z',
            ["e"] = new List<string> { "x" },
            ["f"] = new Dictionary<string, object?> { ["n"] = 1L, ["m"] = null },
            ["g"] = System.Text.Json.Nodes.JsonNode.Parse("""{"k": "node"}"""),
            ["h"] = null,
        };

        Assert.Equal("""5 2.5 True z ['x'] {"n": 1, "m": null} node True""", template.Render([], false, extra));
    }

    [Fact]
    public void A_parsed_template_renders_many_times_independently()
    {
        var template = ChatTemplate.Parse("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}");

        Assert.Equal("1", template.Render([new("user", "a")], false));
        Assert.Equal("2", template.Render([new("user", "a"), new("assistant", "b")], false));
    }

    private static void AssertRenders(string source, string expected)
    {
        var rendered = ChatTemplate.Parse(source).Render([new("user", "Hi")], addGenerationPrompt: false, Context);

        Assert.Equal(expected, rendered);
    }
}
