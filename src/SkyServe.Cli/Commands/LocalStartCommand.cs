using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SkyServe.Controller.Hosting;
using SkyServe.Core.Hosting;
using SkyServe.Core.Security;
using SkyServe.LoadBalancer.Hosting;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve local start`: runs the system on this machine in the foreground with the embedded
/// defaults (SQLite in the data directory), and points the CLI config at it.
/// </summary>
public static class LocalStartCommand
{
    public static Command Build()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = $"Data directory (default {SkyServeHome.DefaultDataDirectory})" };
        var port = new Option<int>("--port") { Description = "Controller port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 30580 };
        // Values of flags show in `ps` to every user of the machine: the help steers secrets to files and variables.
        var postgres = new Option<string?>("--postgres")
        {
            Description = "PostgreSQL connection string (default: embedded SQLite); one with a password is better given by --postgres-file or $SKYSERVE_POSTGRES",
        };
        var postgresFile = new Option<string?>("--postgres-file") { Description = "File holding the PostgreSQL connection string" };
        var token = new Option<string?>("--token")
        {
            Description = "API token (default: $SKYSERVE_TOKEN, else generated on first start and kept in the data directory); better given by --token-file or $SKYSERVE_TOKEN",
        };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding the API token" };
        var lbPort = new Option<int>("--lb-port") { Description = "Load balancer port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 30581 };
        var noExample = new Option<bool>("--no-example") { Description = $"Do not deploy {LocalExample.SpecPath} on a fresh start" };
        var cliConfig = new Option<bool?>("--write-cli-config")
        {
            Description = "Point the CLI config at this controller (default: only when --data-dir is the default)",
        };
        MustBePort(port);
        MustBePort(lbPort);
        var command = new Command("start", "Run SkyServe on this machine in the foreground")
        {
            dataDir, port, postgres, postgresFile, token, tokenFile, lbPort, noExample, cliConfig,
        };
        command.SetAction(async (parse, ct) =>
        {
            OwnerOnly.RestrictProcessUmask(); // the data directory, SQLite's files and the agents' logs hold secrets
            ControllerOptions options;
            try
            {
                options = new ControllerOptions
                {
                    DataDirectory = Path.GetFullPath(parse.GetValue(dataDir) ?? SkyServeHome.DefaultDataDirectory),
                    PostgresConnectionString = SecretSource.Resolve(parse.GetValue(postgres), parse.GetValue(postgresFile), "SKYSERVE_POSTGRES"),
                    ApiToken = SecretSource.Resolve(parse.GetValue(token), parse.GetValue(tokenFile), "SKYSERVE_TOKEN"),
                    Urls = $"http://127.0.0.1:{parse.GetValue(port)}",
                };
                ControllerOptionsValidator.ThrowIfInvalid(options); // BuildAsync checks again; here it is one line of the CLI's
            }
            catch (Exception e) when (e is SecretFileException or OptionsValidationException or CloudSettingsException)
            {
                throw new CliException(e.Message);
            }
            await using var app = await ControllerHost.BuildAsync(options, ct: ct);
            await ListenAsync(app, "--port", parse.GetValue(port), ct);
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            // Another data directory is another system: the CLI config keeps pointing at the default one unless asked.
            var isDefaultDataDir = options.DataDirectory == Path.GetFullPath(SkyServeHome.DefaultDataDirectory);
            var writeCliConfig = parse.GetValue(cliConfig) ?? isDefaultDataDir;
            if (writeCliConfig)
                new CliConfig(url, options.ApiToken).Save();
            await using var lb = LoadBalancerHost.Build(new LoadBalancerOptions
            {
                Listen = $"http://127.0.0.1:{parse.GetValue(lbPort)}", ControllerUrl = url, ControllerToken = app.Services.GetRequiredService<ScopedTokens>().LoadBalancer,
                ServicePorts = true, // each service also on its own port, as `sky serve up` gives it
            });
            await ListenAsync(lb, "--lb-port", parse.GetValue(lbPort), ct);
            var lbUrl = LoadBalancerHost.BoundAddress(lb);

            Console.WriteLine($"SkyServe controller listening on {url}");
            Console.WriteLine($"  database: {(options.PostgresConnectionString is null ? Path.Combine(options.DataDirectory, DatabaseRegistration.SqliteFileName) : "PostgreSQL")}");
            if (GeneratedTokenNotice.For(options) is { } notice)
                Console.WriteLine("  " + notice);
            Console.WriteLine($"  load balancer: http://NAME.localhost:{lbUrl.Port}/ or {lbUrl}NAME/ for service NAME, "
                + "and each service on its own port (skyserve status --endpoint NAME)");
            Console.WriteLine(writeCliConfig
                ? $"  CLI config written to {CliConfig.FilePath}: try ./skyserve status, ./skyserve up SPEC.yaml"
                : $"  CLI config {CliConfig.FilePath} left as it was (--data-dir is not the default; --write-cli-config points it here): "
                  + $"use SKYSERVE_URL={url} and SKYSERVE_TOKEN from {Path.Combine(options.DataDirectory, ApiTokenStore.FileName)}");
            Console.WriteLine("Press Ctrl+C to stop.");
            var example = parse.GetValue(noExample)
                ? Task.CompletedTask
                : new LocalExample(new CliConfig(url, options.ApiToken), lbUrl, Console.Out)
                    .RunAsync(Path.Combine(Path.GetDirectoryName(ConfigLocator.Find(null))!, LocalExample.SpecPath), app.Lifetime.ApplicationStopping);
            await app.WaitForShutdownAsync(ct);
            await example.ContinueWith(_ => { }, TaskScheduler.Default); // it stops with the host
            await lb.StopAsync(CancellationToken.None);
            return 0;
        });
        return new Command("local", "Run SkyServe on this machine") { command, LocalDownCommand.Build() };
    }

    private static void MustBePort(Option<int> option) => option.Validators.Add(result =>
    {
        if (result.GetValueOrDefault<int>() is var value and (< 0 or > 65535))
            result.AddError($"{option.Name} must be a port number of 0-65535 (got {value})");
    });

    /// <summary>Starts a host; a port that is taken is one clear line, not a stack trace.</summary>
    private static async Task ListenAsync(IHost host, string flag, int port, CancellationToken ct)
    {
        if (await PortAvailability.StartAsync([$"http://127.0.0.1:{port}"], () => host.StartAsync(ct)) is { } problem)
            throw new CliException($"{problem}. Is another `skyserve local start` running? Pick another port with {flag}.");
    }
}
