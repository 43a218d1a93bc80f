using Microsoft.Extensions.Options;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Jobs;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>The controller's settings are checked before anything starts, and each bad one is a line that names it.</summary>
public sealed class ControllerOptionsValidatorTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public void The_defaults_and_the_test_settings_pass()
    {
        Assert.Empty(ControllerOptionsValidator.Problems(new ControllerOptions()));
        Assert.Empty(ControllerOptionsValidator.Problems(new ControllerOptions
        {
            Urls = "http://127.0.0.1:0;http://[::1]:0",
            AgentControllerUrl = "http://10.0.0.2:30580/",
            Reconcile = new ReconcileOptions
            {
                Interval = TimeSpan.FromMilliseconds(250), NotReadyGrace = TimeSpan.Zero, LaunchBackoff = TimeSpan.FromMilliseconds(250),
                MaxLaunchBackoff = TimeSpan.FromMilliseconds(250), KeepEndedReplicas = TimeSpan.Zero, QpsWindow = TimeSpan.FromSeconds(1),
            },
            Jobs = new JobSchedule { OrphanGrace = TimeSpan.Zero },
        }));
        Assert.True(new ControllerOptionsValidator().Validate(null, new ControllerOptions()).Succeeded);
    }

    public static TheoryData<Func<ControllerOptions, ControllerOptions>, string> BadSettings => new()
    {
        { o => With(o, r => r with { Interval = TimeSpan.FromSeconds(-1) }), "SkyServe:Reconcile:Interval must be positive (got -00:00:01)" },
        { o => With(o, r => r with { Interval = TimeSpan.Zero }), "SkyServe:Reconcile:Interval must be positive (got 00:00:00)" },
        { o => With(o, r => r with { MaxLaunchesInFlight = 0 }), "SkyServe:Reconcile:MaxLaunchesInFlight must be at least 1 (got 0)" },
        { o => With(o, r => r with { NotReadyGrace = TimeSpan.FromSeconds(-5) }), "SkyServe:Reconcile:NotReadyGrace must not be negative (got -00:00:05)" },
        { o => With(o, r => r with { LaunchBackoff = TimeSpan.Zero }), "SkyServe:Reconcile:LaunchBackoff must be positive (got 00:00:00)" },
        {
            o => With(o, r => r with { LaunchBackoff = TimeSpan.FromMinutes(5) }),
            "SkyServe:Reconcile:MaxLaunchBackoff must be at least SkyServe:Reconcile:LaunchBackoff (00:05:00) (got 00:02:00)"
        },
        { o => With(o, r => r with { KeepEndedReplicas = TimeSpan.FromHours(-1) }), "SkyServe:Reconcile:KeepEndedReplicas must not be negative (got -01:00:00)" },
        { o => With(o, r => r with { QpsWindow = TimeSpan.FromMilliseconds(500) }), "SkyServe:Reconcile:QpsWindow must be at least 00:00:01 (got 00:00:00.5000000)" },
        { o => With(o, r => r with { LocalReadyDelay = TimeSpan.FromSeconds(-1) }), "SkyServe:Reconcile:LocalReadyDelay must not be negative (got -00:00:01)" },
        { o => WithJobs(o, j => j with { OrphanCollection = TimeSpan.Zero }), "SkyServe:Jobs:OrphanCollection must be positive (got 00:00:00)" },
        { o => WithJobs(o, j => j with { OfferingRefresh = TimeSpan.Zero }), "SkyServe:Jobs:OfferingRefresh must be positive (got 00:00:00)" },
        { o => WithJobs(o, j => j with { OrphanGrace = TimeSpan.FromSeconds(-1) }), "SkyServe:Jobs:OrphanGrace must not be negative (got -00:00:01)" },
        { o => Set(o, x => x.Routing = x.Routing with { FullRecomputeInterval = TimeSpan.Zero }), "SkyServe:Routing:FullRecomputeInterval must be positive (got 00:00:00)" },
        { o => Set(o, x => x.Routing = x.Routing with { KeepRemovedFor = TimeSpan.FromMinutes(-1) }), "SkyServe:Routing:KeepRemovedFor must be positive (got -00:01:00)" },
        { o => Set(o, x => x.DataDirectory = ""), "SkyServe:DataDirectory must be set" },
        { o => Set(o, x => x.Urls = "127.0.0.1:30580"), "SkyServe:Urls must be an http:// or https:// URL with a host and a port of 0-65535 (got '127.0.0.1:30580')" },
        { o => Set(o, x => x.Urls = "http://127.0.0.1:1;http://127.0.0.1:65536"), "SkyServe:Urls must have a port of 0-65535 (got 'http://127.0.0.1:65536')" },
        { o => Set(o, x => x.AgentControllerUrl = "controller:30580"), "SkyServe:AgentControllerUrl must be an absolute http:// or https:// URL (got 'controller:30580')" },
        { o => Set(o, x => x.AgentControllerUrl = "http://10.0.0.2:0"), "SkyServe:AgentControllerUrl must name a port other than 0 (got 'http://10.0.0.2:0')" },
        { o => Set(o, x => x.Agent.PackagePath = " "), "SkyServe:Agent:PackagePath must name a file when set" },
        { o => Set(o, x => x.Uploads.MaxBytes = 0), "SkyServe:Uploads:MaxBytes must be from 1 to 1073741824 bytes (got 0)" },
        { o => Set(o, x => x.Uploads.MaxBytes = 2L << 30), "SkyServe:Uploads:MaxBytes must be from 1 to 1073741824 bytes (got 2147483648)" },
        { o => Set(o, x => x.Uploads.KeepUnreferencedFor = TimeSpan.FromHours(-1)), "SkyServe:Uploads:KeepUnreferencedFor must not be negative (got -01:00:00)" },
        { o => WithJobs(o, j => j with { BlobRetention = TimeSpan.Zero }), "SkyServe:Jobs:BlobRetention must be positive (got 00:00:00)" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_is_one_line_that_names_it(Func<ControllerOptions, ControllerOptions> bad, string expected)
    {
        var options = bad(new ControllerOptions());
        Assert.Equal([expected], ControllerOptionsValidator.Problems(options));
        var result = new ControllerOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Equal(expected, result.FailureMessage);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_on_one_line()
    {
        var options = With(new ControllerOptions { Urls = "nope" }, r => r with { Interval = TimeSpan.Zero, MaxLaunchesInFlight = -1 });
        var error = Assert.Throws<OptionsValidationException>(() => ControllerOptionsValidator.ThrowIfInvalid(options));
        Assert.Equal(
            "SkyServe:Urls must be an http:// or https:// URL with a host and a port of 0-65535 (got 'nope'); "
            + "SkyServe:Reconcile:Interval must be positive (got 00:00:00); SkyServe:Reconcile:MaxLaunchesInFlight must be at least 1 (got -1)",
            error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task The_host_refuses_a_bad_setting_before_it_touches_the_data_directory()
    {
        var dataDirectory = Path.Combine(data.Path, "not-yet");
        var options = With(new ControllerOptions { DataDirectory = dataDirectory, Urls = "http://127.0.0.1:0" },
            r => r with { Interval = TimeSpan.FromSeconds(-1) });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ControllerHost.BuildAsync(options));
        Assert.Equal("SkyServe:Reconcile:Interval must be positive (got -00:00:01)", error.Message);
        Assert.False(Directory.Exists(dataDirectory));
        Assert.Null(options.ApiToken);
    }

    private static ControllerOptions With(ControllerOptions o, Func<ReconcileOptions, ReconcileOptions> change)
    {
        o.Reconcile = change(o.Reconcile);
        return o;
    }

    private static ControllerOptions WithJobs(ControllerOptions o, Func<JobSchedule, JobSchedule> change)
    {
        o.Jobs = change(o.Jobs);
        return o;
    }

    private static ControllerOptions Set(ControllerOptions o, Action<ControllerOptions> change)
    {
        change(o);
        return o;
    }
}
