using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SkyServe.Controller.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReplicaNodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "worker_nodes",
                table: "replicas",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "worker_nodes",
                table: "replicas");
        }
    }
}
