using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>
/// The standalone controller with a bad setting (SkyServe__... variables) ends at once with exit code 2 and one line
/// that names the setting, not a stack trace, and leaves nothing behind.
/// </summary>
public sealed class ControllerSettingsTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private string DataDirectory => Path.Combine(data.Path, "controller");

    private Dictionary<string, string> Settings(string key, string value) => new()
    {
        ["DataDirectory"] = DataDirectory,
        ["Urls"] = "http://127.0.0.1:0",
        ["ApiToken"] = "sks_settings_test",
        ["ConfigDirectory"] = RepoPaths.Config,
        [key] = value,
    };

    [Theory]
    [InlineData("Reconcile:Interval", "-00:00:01", "error: SkyServe:Reconcile:Interval must be positive (got -00:00:01)")]
    [InlineData("Jobs:OrphanGrace", "-00:00:30", "error: SkyServe:Jobs:OrphanGrace must not be negative (got -00:00:30)")]
    [InlineData("Urls", "http://127.0.0.1:70000", "error: SkyServe:Urls must have a port of 0-65535 (got 'http://127.0.0.1:70000')")]
    public async Task A_bad_setting_ends_the_start_with_one_line_that_names_it(string key, string value, string expected)
    {
        var (exitCode, output) = await ControllerProcess.FailedStartAsync(Settings(key, value));

        Assert.Equal(2, exitCode);
        Assert.Equal(expected, output);
        Assert.False(Directory.Exists(DataDirectory), "nothing is created before the settings are checked");
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_names_the_setting_too()
    {
        var (exitCode, output) = await ControllerProcess.FailedStartAsync(Settings("Reconcile:Interval", "soon"));

        Assert.Equal(2, exitCode);
        Assert.Single(output.Split('\n'));
        Assert.StartsWith("error: ", output);
        Assert.Contains("SkyServe:Reconcile:Interval", output);
    }
}
