// Placeholder host: the inference agent arrives with the providers and agent issues.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.Run();
