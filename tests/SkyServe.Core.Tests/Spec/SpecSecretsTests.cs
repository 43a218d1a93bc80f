using System.Text.Json.Nodes;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

/// <summary>Env values are hidden in the effective spec and in the submitted text, whatever YAML style holds them.</summary>
public sealed class SpecSecretsTests
{
    [Fact]
    public void Text_keeps_names_comments_and_layout_and_hides_every_value_style()
    {
        const string text = """
            name: svc   # the name
            envs:
              PLAIN: plain-secret
              QUOTED: "quoted-secret"
              SINGLE: 'single-secret'
              NUMBER: 12345
              BLOCK: |
                block-secret
                second-line-secret
              FOLDED: >-
                folded-secret
            run: echo "$PLAIN"
            """;
        var redacted = SpecSecrets.RedactText(text);

        Assert.DoesNotContain("secret", redacted.Replace("<redacted>", ""));
        Assert.DoesNotContain("12345", redacted);
        Assert.Contains("name: svc   # the name", redacted);
        Assert.Contains("  PLAIN: \"<redacted>\"\n", redacted);
        Assert.Contains("  BLOCK: \"<redacted>\"\n  FOLDED: \"<redacted>\"\nrun: echo \"$PLAIN\"", redacted);
    }

    [Theory]
    [InlineData("{\"name\": \"svc\", \"envs\": {\"KEY\": \"json-secret\"}, \"run\": \"x\"}")]
    [InlineData("\uFEFFname: svc\nenvs: {KEY: flow-secret, OTHER: 'quoted-secret'}\nrun: x\n")]
    [InlineData("name: svc\nenvs:\n  KEY: &a anchored-secret\n  ALIAS: *a\nrun: x\n")]
    public void Json_flow_and_anchored_values_are_hidden(string text)
    {
        var redacted = SpecSecrets.RedactText(text);
        Assert.DoesNotContain("secret", redacted.Replace("<redacted>", ""));
        Assert.Contains("KEY", redacted);
    }

    [Fact]
    public void Text_without_envs_is_unchanged_and_unreadable_text_is_withheld()
    {
        Assert.Equal("name: svc\nrun: x\n", SpecSecrets.RedactText("name: svc\nrun: x\n"));
        Assert.Equal("<redacted>", SpecSecrets.RedactText("envs: {KEY: [unclosed"));
    }

    [Fact]
    public void Effective_spec_keeps_names_and_hides_values()
    {
        var spec = JsonNode.Parse("""{"name": "svc", "envs": {"A": "one", "B": "two"}, "run": "x"}""");
        var redacted = SpecSecrets.RedactEnvs(spec)!;
        Assert.Equal(["<redacted>", "<redacted>"], redacted["envs"]!.AsObject().Select(e => e.Value!.GetValue<string>()));
        Assert.Equal(["A", "B"], redacted["envs"]!.AsObject().Select(e => e.Key));
        Assert.Equal("x", redacted["run"]!.GetValue<string>());
    }

    [Fact]
    public void Secret_values_are_hidden_even_where_env_values_are_shown()
    {
        const string text = """
            envs:
              MODEL: shown-model
            secrets:
              API_KEY: hidden-api-key  # planted
              TOKEN: "hidden-token"
            run: curl -H "X-Key=hidden-api-key" localhost
            """;
        foreach (var showEnvs in new[] { false, true })
        {
            var redacted = SpecSecrets.RedactText(text, showEnvs);
            Assert.DoesNotContain("hidden", redacted);
            Assert.True(redacted.Contains("  API_KEY: \"<redacted>\"  # planted", StringComparison.Ordinal), redacted);
            Assert.Equal(showEnvs, redacted.Contains("shown-model", StringComparison.Ordinal));
        }
        var effective = JsonNode.Parse("""{"envs": {"MODEL": "m"}, "secrets": {"API_KEY": "k"}}""");
        SpecSecrets.Redact(effective, showEnvs: true);
        Assert.Equal("m", (string?)effective!["envs"]!["MODEL"]);
        Assert.Equal("<redacted>", (string?)effective["secrets"]!["API_KEY"]);
    }

    [Fact]
    public void Literals_of_secret_values_are_replaced_in_free_text()
    {
        Assert.Equal("token <redacted> and <redacted>", SpecSecrets.RedactLiterals("token abcd1234 and abcd1234", ["abcd1234", "ab"]));
    }
}
