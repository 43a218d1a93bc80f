using Microsoft.EntityFrameworkCore;

namespace SkyServe.Controller.Persistence;

/// <summary>The embedded default: one file under the data directory, no set-up.</summary>
public sealed class SqliteControllerDb(DbContextOptions<SqliteControllerDb> options) : ControllerDb(options);
