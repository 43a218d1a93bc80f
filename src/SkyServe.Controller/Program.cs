using Microsoft.Extensions.Options;
using SkyServe.Controller.Hosting;
using SkyServe.Core.Hosting;
using SkyServe.Core.Security;

// The controller on its own: settings from configuration section "SkyServe" (appsettings.json or environment variables
// such as SkyServe__PostgresConnectionString). Secrets are best given as files (SkyServe__ApiTokenFile,
// SkyServe__PostgresConnectionStringFile) or variables, not as command-line arguments, which every user sees in `ps`.
// `skyserve local start` is the usual way in.
OwnerOnly.RestrictProcessUmask(); // the data directory holds the database, tokens and the spec's envs
var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables().AddCommandLine(args).Build();
// A bad setting is one line naming it and exit code 2, never a stack trace: a value the binder cannot convert
// ("Failed to convert configuration value at 'SkyServe:Reconcile:Interval' to type 'System.TimeSpan'"), or one the
// validator refuses ("SkyServe:Reconcile:Interval must be positive (got -00:00:01)").
ControllerOptions options;
try
{
    options = configuration.GetSection(ControllerOptionsValidator.Section).Get<ControllerOptions>() ?? new ControllerOptions();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
WebApplication app;
try
{
    app = await ControllerHost.BuildAsync(options, args);
}
catch (Exception e) when (e is SecretFileException or OptionsValidationException or CloudSettingsException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
if (GeneratedTokenNotice.For(options) is { } notice)
    Console.WriteLine(notice);
if (await PortAvailability.StartAsync(options.Urls.Split(';'), () => app.StartAsync()) is { } cannotListen)
{
    Console.Error.WriteLine($"error: {cannotListen}"); // a taken port: one line, not a stack trace
    return 1;
}
Console.WriteLine($"SkyServe controller listening on {string.Join(", ", app.Urls)}");
await app.WaitForShutdownAsync();
return 0;
