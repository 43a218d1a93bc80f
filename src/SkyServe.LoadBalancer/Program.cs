// Placeholder host: the YARP data plane arrives with the load-balancer issue.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.Run();
