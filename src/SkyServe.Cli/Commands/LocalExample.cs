using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace SkyServe.Cli.Commands;

/// <summary>
/// What `local start` does on a fresh data directory: submits config/examples/local-chat.yaml, waits until the
/// service is READY, and asks its model one question through the load balancer, so the first run ends with a
/// model answering through the whole system (controller, local spot zones, replica agents, load balancer).
/// </summary>
internal sealed class LocalExample(CliConfig controller, Uri loadBalancer, TextWriter output)
{
    public const string SpecPath = "config/examples/local-chat.yaml";
    public const string Question = "What is SkyServe?";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);

    public async Task RunAsync(string specFile, CancellationToken ct)
    {
        try
        {
            using var api = new ControllerClient(controller);
            if (await api.GetAsync("/api/v1/services?limit=1", ct) is JsonArray { Count: > 0 }) // one tells
                return; // not a fresh start: the user's services are what runs
            var created = await api.PostSpecAsync("/api/v1/services", await File.ReadAllTextAsync(specFile, ct), ct);
            var name = created["name"]!.GetValue<string>();
            output.WriteLine($"Example: submitted {SpecPath} as service '{name}'; waiting for a READY replica (--no-example skips this)...");
            await WaitUntilReadyAsync(api, name, ct);
            var answer = await AskAsync(name, ct);
            output.WriteLine($"Example: asked '{name}' through the load balancer: curl {loadBalancer}{name}/v1/chat/completions " +
                $"-H 'Content-Type: application/json' -d '{{\"messages\":[{{\"role\":\"user\",\"content\":\"{Question}\"}}]}}'");
            output.WriteLine($"  {Question}");
            output.WriteLine($"  {answer.Model}: {answer.Content}");
        }
        catch (Exception e) when (e is CliException or HttpRequestException or TimeoutException or IOException)
        {
            output.WriteLine($"Example: the example service did not answer: {e.Message}");
        }
    }

    private static async Task WaitUntilReadyAsync(ControllerClient api, string name, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ReadyTimeout);
        try
        {
            while ((await api.GetAsync($"/api/v1/services/{name}", deadline.Token))["status"]?.GetValue<string>() != "READY")
                await Task.Delay(TimeSpan.FromMilliseconds(500), deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"'{name}' was not READY within {ReadyTimeout.TotalMinutes:0} minutes; see ./skyserve events {name}");
        }
    }

    private async Task<(string Model, string Content)> AskAsync(string name, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
        // READY is the controller's view; the load balancer follows its routes a moment later.
        for (var attempt = 0; ; attempt++)
        {
            using var response = await http.PostAsJsonAsync(new Uri(loadBalancer, $"{name}/v1/chat/completions"),
                new { messages = new[] { new { role = "user", content = Question } }, temperature = 0, max_tokens = 64 }, ct);
            if (response.IsSuccessStatusCode)
            {
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
                return (body["model"]!.GetValue<string>(), body["choices"]![0]!["message"]!["content"]!.GetValue<string>());
            }
            if (attempt == 20)
                throw new CliException($"the load balancer answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }
}
