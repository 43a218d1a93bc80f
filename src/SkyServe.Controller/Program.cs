using SkyServe.Controller.Hosting;

// The controller on its own: settings from configuration section "SkyServe" (appsettings.json or
// environment variables such as SkyServe__PostgresConnectionString). `skyserve local start` is the usual way in.
var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables().AddCommandLine(args).Build();
var options = configuration.GetSection("SkyServe").Get<ControllerOptions>() ?? new ControllerOptions();
var app = await ControllerHost.BuildAsync(options, args);
if (options.ApiTokenWasGenerated)
    Console.WriteLine($"Generated API token (shown once; kept in {Path.Combine(options.DataDirectory, ApiTokenStore.FileName)}): {options.ApiToken}");
await app.StartAsync();
Console.WriteLine($"SkyServe controller listening on {string.Join(", ", app.Urls)}");
await app.WaitForShutdownAsync();
