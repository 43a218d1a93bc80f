using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// The submission media type carries what `up --env/--secret/--gpus/--use-spot` give beside the spec: laid over it,
/// stored beside the text as written, and never shown where a secret is concerned, show_secrets included.
/// </summary>
public sealed class SubmissionTests : IDisposable
{
    private const string SecretValue = "submitted-secret-7f3a9c";
    private const string YamlSecretValue = "yaml-secret-52be11";

    private const string Spec = $"""
        name: sub
        service:
          readiness_probe: /health
          replicas: 1
        resources:
          accelerators: {"{"}A10G:1, L4:1{"}"}
          ports: 8080
        envs:
          MODEL: null
        secrets:
          TOKEN: null
          IN_YAML: {YamlSecretValue}
        run: python -m http.server 8080
        """;

    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private static StringContent Submission(JsonObject body)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.skyserve.submission+json");
        return content;
    }

    [Fact]
    public async Task Inputs_are_laid_over_the_spec_stored_beside_it_and_secret_values_never_shown()
    {
        var options = new Hosting.ControllerOptions
        {
            DataDirectory = data.Path, Urls = "http://127.0.0.1:0", Reconcile = new ReconcileOptions { Enabled = false },
        };
        await using var server = await ControllerServer.StartAsync(options);
        var body = new JsonObject
        {
            ["spec"] = Spec,
            ["envs"] = new JsonObject { ["MODEL"] = "env-model" },
            ["secrets"] = new JsonObject { ["TOKEN"] = SecretValue },
            ["resources"] = new JsonObject { ["accelerators"] = "L4:1", ["use_spot"] = true, ["infra"] = "aws/us-east-1" },
        };
        var created = await server.Client.PostAsync("/api/v1/services?show_secrets=true", Submission(body));
        var createdText = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, createdText);

        var spec = JsonNode.Parse(createdText)!["spec"]!;
        Assert.Equal("""{"L4":1}""", spec["resources"]!["accelerators"]!.ToJsonString());
        Assert.True(spec["resources"]!["use_spot"]!.GetValue<bool>());
        Assert.Equal("env-model", (string?)spec["envs"]!["MODEL"]);
        Assert.Equal("<redacted>", (string?)spec["secrets"]!["TOKEN"]);

        var shown = new List<string> { createdText };
        foreach (var path in new[] { "/api/v1/services/sub", "/api/v1/services/sub?show_secrets=true", "/api/v1/services", "/api/v1/services/sub/events" })
            shown.Add(await (await server.Client.GetAsync(path)).Content.ReadAsStringAsync());
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var version = await scope.ServiceProvider.GetRequiredService<ControllerDb>().ServiceVersions.SingleAsync();
            shown.Add(version.EffectiveSpec);
            // What replicas need stays stored: the text as written and the inputs beside it.
            Assert.Contains("accelerators: {A10G:1, L4:1}", version.SpecText);
            Assert.Contains(SecretValue, version.Inputs);
        }
        foreach (var secret in new[] { SecretValue, YamlSecretValue })
            Assert.All(shown, text => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));

        // A null left unfilled is refused naming the key; a submission with a key it does not know is refused.
        body["spec"] = Spec.Replace("name: sub", "name: other");
        body.Remove("secrets");
        var unfilled = await server.Client.PostAsync("/api/v1/services", Submission(body));
        var problem = await unfilled.AssertProblemAsync(400);
        Assert.Contains("secrets.TOKEN", problem.ToJsonString());
        body["colour"] = "blue";
        await (await server.Client.PostAsync("/api/v1/services", Submission(body))).AssertProblemAsync(400);
    }
}
