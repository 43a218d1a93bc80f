using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class DocumentErrorsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public void Empty_input_is_one_clear_error(string text)
    {
        var error = SpecAssert.OnlyError(text, "", "the spec is empty");
        Assert.StartsWith("<root> (line ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Null_input_is_an_error_not_an_exception()
    {
        Assert.Equal("the spec is empty", Assert.Single(ServiceSpecParser.TryParse(null!).Errors).Message);
    }

    [Theory]
    [InlineData("just a string\n", 1, 1, "got 'just a string'")]
    [InlineData("- a\n- b\n", 1, 1, "got a list")]
    public void A_document_that_is_not_a_mapping_is_an_error(string text, int line, int column, string message)
    {
        SpecAssert.HasError(text, "", line, column, "expected a mapping of spec keys (name, service, resources, ...) at the top level, " + message);
    }

    [Fact]
    public void Syntax_errors_carry_the_position()
    {
        SpecAssert.HasError("service:\n  replicas: 1\n ports: 8080\n", "", 3, 2, "YAML syntax error:");
        SpecAssert.HasError("service: {replicas: 1 ports: 2}\n", "", 1, 28, "YAML syntax error: while parsing a flow mapping, did not find expected ',' or '}'");
        SpecAssert.HasError("name: \"unterminated\n", "", 1, 7, "YAML syntax error:");
    }

    [Theory]
    [InlineData("service:\n  readiness_probe: [1, 2\n  ports: 3\n", 2, 20)]
    [InlineData("service: {replicas: 1\n", 1, 10)]
    [InlineData("{\"service\": {\"ports\": 8080}", 1, 1)]
    public void An_unclosed_flow_collection_points_at_its_bracket(string text, int line, int column)
    {
        SpecAssert.HasError(text, "", line, column, "opened here is not closed");
    }

    [Fact]
    public void Tab_indentation_points_at_the_tab()
    {
        SpecAssert.HasError("service:\n\treplicas: 1\n", "", 2, 1, "tab");
    }

    [Fact]
    public void Duplicate_keys_are_all_reported_with_their_paths()
    {
        var errors = SpecAssert.Invalid("""
            service:
              replicas: 1
              replicas: 2
            resources:
              ports: 8080
            resources:
              ports: 9090
            """);
        Assert.Equal(
            [("service.replicas", 3, 3, "duplicate key 'replicas'"), ("resources", 6, 1, "duplicate key 'resources'")],
            errors.Select(error => (error.Path, error.Line, error.Column, error.Message)));
    }

    [Fact]
    public void Several_documents_are_refused()
    {
        SpecAssert.HasError(SpecAssert.Minimal + "\n---\nservice: {}\n", "", 5, 1, "expected one YAML document, found several");
    }

    [Fact]
    public void Deep_nesting_is_refused_before_building_a_tree()
    {
        var depth = 5000;
        var text = "service:\n  readiness_probe:\n    post_data: " + new string('[', depth) + new string(']', depth) + "\n";
        SpecAssert.HasError(text, "service.readiness_probe.post_data" + string.Concat(Enumerable.Repeat("[0]", 61)), 3, 77, "the spec nests deeper than 64 levels");
    }

    [Fact]
    public void Alias_to_an_unknown_anchor_is_an_error()
    {
        SpecAssert.HasError("service: *nowhere\n", "service", 1, 10, "the alias *nowhere refers to no anchor (&nowhere) defined before it");
    }

    [Fact]
    public void Anchors_and_aliases_work()
    {
        var spec = SpecAssert.Valid("""
            service:
              readiness_probe:
                path: /
                headers: &auth {Authorization: Bearer x}
              ports: 8080
            resources:
              labels: *auth
            """);
        Assert.Equal("Bearer x", spec.Resources.Labels["Authorization"]);
    }

    [Fact]
    public void Alias_bombs_in_post_data_are_capped()
    {
        var text = """
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            service:
              readiness_probe:
                path: /
                post_data: {bomb: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]}
              ports: 8080
            """;
        var errors = SpecAssert.Invalid(text);
        Assert.Contains(errors, error => error.Message.Contains("more than 10000 values", StringComparison.Ordinal));
    }

    [Fact]
    public void Oversized_input_is_refused()
    {
        SpecAssert.OnlyError(SpecAssert.Minimal + "\n#" + new string('x', 2 * 1024 * 1024), "", "larger than 1024 KiB");
    }

    [Fact]
    public void Parse_throws_with_every_error_in_the_message()
    {
        var exception = Assert.Throws<SpecValidationException>(() => ServiceSpecParser.Parse("service:\n  replicas: x\n  ports: y\n"));
        Assert.Equal(2, exception.Errors.Count);
        Assert.Equal(
            "service.replicas (line 2, column 13): expected an integer, got 'x'\nservice.ports (line 3, column 10): expected an integer, got 'y'",
            exception.Message);
    }

    [Fact]
    public void Complex_keys_are_refused()
    {
        SpecAssert.HasError("? [a, b]\n: 1\n" + SpecAssert.Minimal, "", 1, 3, "keys must be plain names, got a list");
    }
}
