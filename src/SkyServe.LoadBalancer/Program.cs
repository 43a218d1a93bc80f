using SkyServe.LoadBalancer.Hosting;

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
if (SkyServe.Core.Hosting.PortAvailability.Problem(options.Listen) is { } taken)
{
    Console.Error.WriteLine($"error: {taken}");
    return 1;
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
try
{
    await app.StartAsync();
}
catch (IOException e) // the port is taken: one line, not a stack trace
{
    Console.Error.WriteLine($"error: cannot listen on {options.Listen}: {e.Message}");
    return 1;
}
Console.WriteLine($"SkyServe load balancer listening on {LoadBalancerHost.BoundAddress(app)}");
await app.WaitForShutdownAsync();
return 0;
