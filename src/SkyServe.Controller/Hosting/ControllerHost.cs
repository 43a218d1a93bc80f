using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using SkyServe.Controller.Api;
using SkyServe.Controller.Services;

namespace SkyServe.Controller.Hosting;

/// <summary>Builds the controller's web host. Used by its own Program and by `skyserve local start`.</summary>
public static class ControllerHost
{
    public static async Task<WebApplication> BuildAsync(ControllerOptions options, string[]? args = null, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(options.ApiToken))
        {
            var (token, generated) = ApiTokenStore.LoadOrCreate(options.DataDirectory);
            options.ApiToken = token;
            options.ApiTokenWasGenerated = generated;
        }

        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = SpecBody.MaxBytes * 2L);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning); // hosts print their own start-up line

        var services = builder.Services;
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton(TimeProvider.System);
        services.AddControllerDb(options);
        services.AddScoped<ServiceStore>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // bad query values → problem+json 400
        services.Configure<JsonOptions>(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddOpenApi();

        var app = builder.Build();
        await DatabaseRegistration.MigrateAsync(app.Services, ct);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi("/openapi/v1.json");
        app.MapGet("/health", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
        app.MapServiceApi();
        return app;
    }
}
