using System.Text.RegularExpressions;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// Issue 17's done-when: examples/workdir-server (a python3 HTTP server as the spec's <c>workdir</c>, with a local
/// <c>file_mounts</c> entry), deployed with the real CLI from its own folder on the local runtime, becomes READY and
/// answers through the load balancer with what its workdir and its mount hold; <c>update</c> with a changed file rolls
/// the new content out.
/// </summary>
public sealed partial class WorkdirServiceTests : IAsyncLifetime
{
    private readonly TempDirectory root = new();
    private SkyServeCli cli = null!;
    private LocalController controller = null!;

    private string App => Path.Combine(root.Path, "workdir-server");

    public async Task InitializeAsync()
    {
        CopyFolder(Path.Combine(RepoPaths.Root, "examples", "workdir-server"), App);
        cli = new SkyServeCli(Path.Combine(root.Path, "home"));
        controller = await LocalController.StartAsync(cli, Path.Combine(root.Path, "data"));
    }

    public async Task DisposeAsync()
    {
        if (controller is not null)
            await controller.DisposeAsync();
        root.Dispose();
    }

    [Fact]
    public async Task A_workdir_service_answers_through_the_load_balancer_and_update_rolls_a_changed_file_out()
    {
        var up = await cli.RunInAsync(App, "up", "service.yaml");
        Assert.True(up.ExitCode == 0, up.Output);
        Assert.Contains("workdir: uploaded", up.Stdout);
        Assert.Contains("honouring .skyignore", up.Stdout);
        Assert.Contains("file_mounts.~/greeting.txt: uploaded", up.Stdout);

        var first = await AnswerAsync(body => body.Contains("message=hello from the workdir"), "the first version");
        Assert.Contains("greeting=hello from a file mount", first);
        Assert.Matches(@"cwd=\S+/sky_workdir\n", first);
        Assert.Contains("data folder=absent", first); // .skyignore left it out of the workdir

        await File.WriteAllTextAsync(Path.Combine(App, "message.txt"), "hello from version 2\n");
        var update = await cli.RunInAsync(App, "update", "workdir-server", "service.yaml");
        Assert.True(update.ExitCode == 0, update.Output);
        Assert.Contains("workdir: uploaded", update.Stdout);
        Assert.True(update.Stdout.Contains("is on the controller already"), up.Output + update.Output); // the unchanged mount is not sent again
        var second = await AnswerAsync(body => body.Contains("message=hello from version 2"), "the updated version");
        Assert.Contains("greeting=hello from a file mount", second);
    }

    /// <summary>Polls the service through the load balancer until its answer passes <paramref name="expected"/>.</summary>
    private async Task<string> AnswerAsync(Func<string, bool> expected, string what)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var url = LoadBalancerLine().Match(controller.Output).Groups[1].Value + "workdir-server/";
        var last = "";
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync(url);
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                return response.IsSuccessStatusCode && expected(last);
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
                return false;
            }
        }, TimeSpan.FromSeconds(90), () => $"{what} did not answer through {url}; last answer: {last}\n{Status()}");
        return last;
    }

    private string Status() => cli.RunAsync("status", "workdir-server").GetAwaiter().GetResult().Output + "\n" +
        cli.RunAsync("logs", "workdir-server", "--tail", "50").GetAwaiter().GetResult().Output;

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [GeneratedRegex(@"load balancer: \S+ or (http://\S+)NAME/")]
    private static partial Regex LoadBalancerLine();
}
