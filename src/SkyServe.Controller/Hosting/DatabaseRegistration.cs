using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Routing;
using SkyServe.Core.Security;

namespace SkyServe.Controller.Hosting;

public static class DatabaseRegistration
{
    public const string SqliteFileName = "skyserve.db";
    private const long MigrationLockKey = 0x536b7953_4d696772; // "SkySMigr"

    /// <summary>Registers PostgreSQL when a connection string is given, else SQLite in the data directory; both as <see cref="ControllerDb"/>.</summary>
    public static IServiceCollection AddControllerDb(this IServiceCollection services, ControllerOptions options)
    {
        services.AddSingleton<RoutingChangeSignal>();
        services.AddSingleton<DatabaseOutage>();
        services.AddSingleton<RoutingChangeInterceptor>();
        services.AddSingleton<FencedWrites>();
        if (!string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            services.AddDbContext<PostgresControllerDb>((sp, o) => Configure(sp, o.UseNpgsql(options.PostgresConnectionString)));
            services.AddScoped<ControllerDb>(sp => sp.GetRequiredService<PostgresControllerDb>());
        }
        else
        {
            OwnerOnly.CreateDirectory(options.DataDirectory);
            var file = Path.Combine(options.DataDirectory, SqliteFileName);
            // The rows hold every spec's envs. SQLite gives -wal and -shm the database file's mode, so a 0600 file
            // keeps all three private even in a process that did not restrict its umask.
            OwnerOnly.CreateEmptyFile(file);
            services.AddDbContext<SqliteControllerDb>((sp, o) => Configure(sp, o.UseSqlite($"Data Source={file};Foreign Keys=True;Pooling=True")));
            services.AddScoped<ControllerDb>(sp => sp.GetRequiredService<SqliteControllerDb>());
        }
        return services;
    }

    /// <summary>
    /// Applies pending migrations. On PostgreSQL under a session advisory lock: controllers started together on an empty
    /// database would otherwise both apply the first migration, and one of them fail ("column ... already exists").
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        if (db.Database.IsNpgsql())
        {
            await CreateDatabaseIfMissingAsync(db, ct); // the lock lives in the database: it must exist first
            await db.Database.OpenConnectionAsync(ct); // one session for the lock, the migrations and the unlock
            try
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockKey})", ct);
                await db.Database.MigrateAsync(ct);
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", ct);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        else
            await db.Database.MigrateAsync(ct);
        if (db is SqliteControllerDb)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct); // readers never wait for the reconcile loop's writes
    }

    private static async Task CreateDatabaseIfMissingAsync(ControllerDb db, CancellationToken ct)
    {
        var creator = db.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(ct))
            return;
        try
        {
            await creator.CreateAsync(ct);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DuplicateDatabase)
        {
            // Another controller created it meanwhile.
        }
    }

    private static void Configure(IServiceProvider services, DbContextOptionsBuilder options) =>
        options
            .AddInterceptors(services.GetRequiredService<FencedWrites>(), services.GetRequiredService<RoutingChangeInterceptor>())
            // EF logs each failed query, save and connection at Error with its stack trace, then throws it to us anyway:
            // the API handler and the loops log it themselves, once per outage when the database is away.
            .ConfigureWarnings(w => w.Log((RelationalEventId.ConnectionError, LogLevel.Debug), (RelationalEventId.CommandError, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug), (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
}
