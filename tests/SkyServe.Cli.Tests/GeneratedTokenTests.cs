using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// A token generated on first start goes to its 0600 file and to a terminal only: `skyserve local start` with its
/// output redirected (to a log file, a journal) prints where the file is, never the token.
/// </summary>
public sealed class GeneratedTokenTests : IDisposable
{
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task Redirected_output_names_the_token_file_but_not_the_token()
    {
        var cli = new SkyServeCli(home.Path);
        var data = Path.Combine(home.Path, "data");
        await using var controller = await LocalController.StartAsync(cli, data);
        var tokenFile = Path.Combine(data, "api-token");
        var token = (await File.ReadAllTextAsync(tokenFile)).Trim();
        Assert.StartsWith("sks_", token);
        Assert.Contains($"API token generated; it is in {tokenFile}", controller.Output);
        Assert.DoesNotContain(token, controller.Output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, new FileInfo(tokenFile).UnixFileMode);

        // The CLI still finds it, through its own 0600 config.
        var status = await cli.RunAsync("status");
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.DoesNotContain(token, status.Output);
    }
}
