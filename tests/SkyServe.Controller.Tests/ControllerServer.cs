using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Providers;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>A real controller on a real Kestrel port, with a client that carries its token.</summary>
public sealed class ControllerServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private ControllerServer(WebApplication app, ControllerOptions options, string url)
    {
        this.app = app;
        Options = options;
        Url = url;
        Client = new HttpClient { BaseAddress = new Uri(url) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiToken);
        Anonymous = new HttpClient { BaseAddress = new Uri(url) };
    }

    public ControllerOptions Options { get; }
    public string Url { get; }
    public HttpClient Client { get; }
    public HttpClient Anonymous { get; }
    public IServiceProvider Services => app.Services;

    public static Task<ControllerServer> StartAsync(Database database, string dataDirectory, PostgresServer postgres,
        string? postgresConnection = null, bool anonymousReads = false, bool reconcile = false) =>
        StartAsync(new ControllerOptions
        {
            DataDirectory = dataDirectory,
            PostgresConnectionString = database == Database.Postgres ? postgresConnection ?? postgres.NewDatabase() : null,
            AllowAnonymousReads = anonymousReads,
            Urls = "http://127.0.0.1:0",
            Reconcile = new ReconcileOptions { Enabled = reconcile },
        });

    public static async Task<ControllerServer> StartAsync(ControllerOptions options, ICloudProvider? provider = null)
    {
        var app = await ControllerHost.BuildAsync(options, provider: provider);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ControllerServer(app, options, url);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await app.StopAsync();
        // Machines outlive a controller, as cloud machines do: a test must not leave its agents running.
        var provider = app.Services.GetRequiredService<ICloudProvider>();
        foreach (var machine in await provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None))
            await provider.TerminateAsync(machine.Id, CancellationToken.None);
        await app.DisposeAsync();
    }
}
