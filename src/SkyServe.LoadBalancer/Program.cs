using SkyServe.LoadBalancer.Hosting;

InlineIo.EnableByDefault();

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(LoadBalancerCommandLine.Usage);
    return 0;
}
LoadBalancerOptions options;
try
{
    options = LoadBalancerCommandLine.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{LoadBalancerCommandLine.Usage}");
    return 2;
}
Microsoft.AspNetCore.Builder.WebApplication app;
try
{
    app = LoadBalancerHost.Build(options); // validates its options again: nothing gets past Parse that it refuses
}
catch (Microsoft.Extensions.Options.OptionsValidationException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
if (await SkyServe.Core.Hosting.PortAvailability.StartAsync([options.Listen], () => app.StartAsync()) is { } cannotListen)
{
    Console.Error.WriteLine($"error: {cannotListen}"); // a taken port: one line, not a stack trace
    return 1;
}
Console.WriteLine($"SkyServe load balancer listening on {LoadBalancerHost.BoundAddress(app)}");
await app.WaitForShutdownAsync();
return 0;
