using Runnel.Core.Errors;
using Runnel.Sql.Ast;

namespace Runnel.Engine;

public sealed partial class RunnelEngine
{
    /// <summary>Runs one parsed statement. DDL and SET complete before returning; a query returns a
    /// <see cref="QueryResult"/> to read; an INSERT returns a <see cref="JobResult"/> whose job runs in the background
    /// (with <c>table.dml-sync</c> the call waits for the job). Errors are <see cref="RunnelException"/>s.</summary>
    public async Task<StatementResult> ExecuteAsync(Statement statement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        try
        {
            return statement switch
            {
                CreateTableStatement s => await Statements.CreateTableHandler.ExecuteAsync(this, s, cancellationToken).ConfigureAwait(false),
                DropTableStatement s => Statements.DropTableHandler.Execute(this, s),
                AlterTableStatement s => Statements.AlterTableHandler.Execute(this, s),
                CreateViewStatement s => Statements.CreateViewHandler.Execute(this, s),
                DropViewStatement s => Statements.DropViewHandler.Execute(this, s),
                InsertStatement s => await Statements.InsertHandler.ExecuteAsync(this, s, cancellationToken).ConfigureAwait(false),
                StatementSetStatement s => await Statements.StatementSetHandler.ExecuteAsync(this, s, cancellationToken).ConfigureAwait(false),
                QueryStatement s => Statements.QueryHandler.Execute(this, s),
                SetStatement s => Statements.SetHandler.Execute(this, s),
                ResetStatement s => Statements.ResetHandler.Execute(this, s),
                ShowStatement s => Statements.ShowHandler.Execute(this, s),
                ShowCreateStatement { ObjectKind: "MODEL" } s => Statements.ModelListings.ShowCreate(this, s),
                ShowCreateStatement s => Statements.ShowCreateHandler.Execute(this, s),
                DescribeStatement { ObjectKind: "MODEL" } s => Statements.ModelListings.Describe(this, s),
                DescribeStatement { ObjectKind: "CONNECTION" } s => Statements.ConnectionListings.Describe(this, s),
                DescribeStatement s => Statements.DescribeHandler.Execute(this, s),
                ExplainStatement s => Statements.ExplainHandler.Execute(this, s),
                UseStatement s => Statements.UseHandler.Execute(this, s),
                CreateConnectionStatement s => Statements.CreateConnectionHandler.Execute(this, s),
                AlterConnectionStatement s => Statements.AlterConnectionHandler.Execute(this, s),
                DropConnectionStatement s => Statements.DropConnectionHandler.Execute(this, s),
                CreateModelStatement s => await Statements.CreateModelHandler.ExecuteAsync(this, s, cancellationToken).ConfigureAwait(false),
                AlterModelStatement s => Statements.AlterModelHandler.Execute(this, s),
                DropModelStatement s => Statements.DropModelHandler.Execute(this, s),
                _ => throw new SqlException($"Statement {statement.GetType().Name} is not supported yet", statement.Position),
            };
        }
        catch (Sql.Functions.FunctionArgumentException e)
        {
            throw new SqlException(e.Message, statement.Position);
        }
    }

    internal static MessageResult Ok(Statement statement) => new(statement, "Execute statement succeeded.");
}
