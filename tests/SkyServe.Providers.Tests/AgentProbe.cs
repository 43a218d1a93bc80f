using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests;

/// <summary>Looks at launched agents from the outside: over HTTP, and in the process table.</summary>
public static class AgentProbe
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The agent's /health once it answers, within the timeout.</summary>
    public static async Task<JsonNode> WaitHealthyAsync(string endpoint, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync($"{endpoint}/health");
                if (response.IsSuccessStatusCode)
                    return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the agent at {endpoint} did not become healthy");
            await Task.Delay(100);
        }
    }

    public static async Task<JsonNode?> HealthAsync(string endpoint)
    {
        try
        {
            using var response = await Http.GetAsync($"{endpoint}/health");
            return JsonNode.Parse(await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Pids of agent processes started for this machine id.</summary>
    public static async Task<IReadOnlyList<int>> ProcessesOfAsync(string machineId)
    {
        var result = await ProcessRunner.RunAsync("pgrep", ["-f", "--", $"SkyServe.ReplicaAgent.dll.*machine-id {machineId}( |$)"]);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
    }

    /// <summary>Waits until no process of the machine is left.</summary>
    public static async Task WaitGoneAsync(string machineId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while ((await ProcessesOfAsync(machineId)).Count > 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the agent of {machineId} is still running");
            await Task.Delay(100);
        }
    }
}
