using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SkyServe.Controller.Persistence;

// For `dotnet ef` only (README, "Schema changes"): one factory per engine, so that `--context SqliteControllerDb` or
// `--context PostgresControllerDb` builds that engine's model without starting the controller. The connection string is
// the first argument after `--` when given; the defaults touch nothing: an in-memory SQLite database, and a local
// PostgreSQL that need not exist (`migrations list` then says it cannot reach it and lists the migrations all the same;
// `migrations add` never connects).

/// <summary>Builds <see cref="SqliteControllerDb"/> for the EF tools.</summary>
public sealed class SqliteControllerDbDesignTimeFactory : IDesignTimeDbContextFactory<SqliteControllerDb>
{
    public SqliteControllerDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteControllerDb>()
            .UseSqlite(args.FirstOrDefault() ?? "Data Source=:memory:").Options);
}

/// <summary>Builds <see cref="PostgresControllerDb"/> for the EF tools.</summary>
public sealed class PostgresControllerDbDesignTimeFactory : IDesignTimeDbContextFactory<PostgresControllerDb>
{
    public PostgresControllerDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresControllerDb>()
            .UseNpgsql(args.FirstOrDefault() ?? "Host=127.0.0.1;Database=skyserve;Username=skyserve;Timeout=3").Options);
}
