using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// The README's first command on a fresh machine: `skyserve local start` deploys config/examples/local-chat.yaml and
/// ends with the example model (models/tiny-chat, on replica agents in simulated spot zones) answering through the load balancer.
/// </summary>
public sealed class LocalExampleTests : IDisposable
{
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task A_fresh_local_start_ends_with_the_example_model_answering_through_the_load_balancer()
    {
        var cli = new SkyServeCli(home.Path);
        var data = Path.Combine(home.Path, "data");
        await using (var controller = await LocalController.StartAsync(cli, data, example: true))
        {
            await controller.WaitForLineAsync("Example: asked 'local-chat' through the load balancer", TimeSpan.FromMinutes(3));
            var answer = await controller.WaitForLineAsync("tiny-chat: ", TimeSpan.FromSeconds(5));
            Assert.Contains("tiny-chat: SkyServe serves AI models on spot and on-demand GPU machines", answer);

            var status = await cli.RunAsync("status", "local-chat");
            Assert.True(status.ExitCode == 0, status.Output);
            Assert.Matches(@"local-chat\s+1\s+READY", status.Stdout);
        }

        // A second start finds the service there and leaves the user's services alone.
        await using (var again = await LocalController.StartAsync(cli, data, example: true))
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.DoesNotContain("Example: submitted", again.Output);
        }
    }
}
