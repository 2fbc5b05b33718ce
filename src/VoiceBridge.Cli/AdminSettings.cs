using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using VoiceBridge.Audit;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Hosting;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>serve</c>'s admin API and drill options (docs/failover.md, "Fire drills"): the bearer token,
/// the loopback-only open mode, and the production drill schedule. Off by default.
/// </summary>
internal sealed partial class AdminSettings
{
    private readonly Option<string?> _token = new("--admin-token")
    {
        Description = $"Bearer token of the admin API (/admin/calls, /admin/drills), at least {AdminAccess.MinTokenLength} characters; prefer {DrillCommand.TokenVariable}, which ps does not show [none: the admin API is off]",
    };

    private readonly Option<bool> _open = new("--admin-open") { Description = "Serve the admin API with no token: only when every --urls address is loopback" };

    private readonly Option<string?> _schedule = new("--drill-schedule")
    {
        Description = "Scheduled drills: PCT % of new calls, continuously, drilled with SPEC, e.g. 1:primary:close@turn2 (audited like any drill) [off]",
    };

    private AdminAccess? _access;
    private decimal _percent;
    private DrillFault? _scheduled;

    public void AddTo(Command command)
    {
        command.Options.Add(_token);
        command.Options.Add(_open);
        command.Options.Add(_schedule);
    }

    /// <summary>
    /// Reads and checks the options against where serve listens (<paramref name="urls"/>) and its chain; problems go to <paramref name="errors"/>.
    /// A JWT <paramref name="jwt"/> accepts (with <paramref name="scope"/> when set) is as good as the token.
    /// </summary>
    public void Read(ParseResult parse, string urls, ChainSpec? chain, List<string> errors, Security.JwtBearerValidator? jwt = null, string? scope = null)
    {
        _access = AdminAccess.Create(parse.GetValue(_token) ?? Environment.GetEnvironmentVariable(DrillCommand.TokenVariable), parse.GetValue(_open), urls, out var error, jwt, scope);
        if (error is not null)
        {
            errors.Add(error);
        }

        if (parse.GetValue(_schedule) is { } schedule && chain is not null)
        {
            if (AdminDrills.ScheduleProblem(schedule, chain, out _percent, out _scheduled) is { } problem)
            {
                errors.Add($"--drill-schedule {problem}");
                _scheduled = null;
            }
        }
    }

    /// <summary>
    /// Drills on the node's calls when the admin API is on or a schedule is set (null otherwise:
    /// calls run untouched), with the admin API mapped on <paramref name="app"/>.
    /// </summary>
    public AdminDrills? Attach(WebApplication app, BridgeComposition bridge, IAuditLog audit, ILoggerFactory loggers)
    {
        var access = _access!;
        var logger = loggers.CreateLogger<AdminSettings>();
        if (access.Mode == AdminMode.Off && _scheduled is null)
        {
            Log.Off(logger);
            return null;
        }

        var drills = new AdminDrills(bridge, audit, TimeProvider.System, loggers);
        app.MapAdmin(drills, access);
        if (_scheduled is not null)
        {
            drills.Schedule(_percent, _scheduled);
        }

        Log.On(logger, access.Mode == AdminMode.Token ? $"on ({access.Accepts})" : access.Mode == AdminMode.OpenOnLoopback ? "on, OPEN (no token, loopback only)" : "off",
            _scheduled is null ? "off" : $"{_percent} % of new calls with {_scheduled}");
        return drills;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Admin API off (no --admin-token or VOICEBRIDGE_ADMIN_TOKEN); no drills")]
        public static partial void Off(ILogger logger);

        [LoggerMessage(2, LogLevel.Warning, "Admin API {Admin}; drill schedule {Schedule}")]
        public static partial void On(ILogger logger, string admin, string schedule);
    }
}
