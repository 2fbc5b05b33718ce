namespace VoiceBridge.Legs.WebRtc;

/// <summary>What one <see cref="IceLiteAgent"/> has seen, for logs and metrics (updated under the agent's lock).</summary>
public sealed class IceCounters
{
    /// <summary>Datagrams handed to the agent.</summary>
    public long Received { get; internal set; }

    /// <summary>Binding requests that parsed (well-formed, whatever their credentials).</summary>
    public long Requests { get; internal set; }

    /// <summary>Checks answered with a success response.</summary>
    public long Answered { get; internal set; }

    /// <summary>Error responses sent (400, 401, 420, 487).</summary>
    public long ErrorResponses { get; internal set; }

    /// <summary>Datagrams that were not well-formed STUN; dropped.</summary>
    public long Malformed { get; internal set; }

    /// <summary>Requests without FINGERPRINT or with a wrong one; dropped (ICE requires it, RFC 8445 section 7.2.2).</summary>
    public long BadFingerprint { get; internal set; }

    /// <summary>Requests without USERNAME or MESSAGE-INTEGRITY (400).</summary>
    public long MissingCredentials { get; internal set; }

    /// <summary>Requests whose USERNAME is not "ourUfrag:theirUfrag" (401).</summary>
    public long WrongUsername { get; internal set; }

    /// <summary>Requests whose MESSAGE-INTEGRITY does not check under our password (401).</summary>
    public long BadIntegrity { get; internal set; }

    /// <summary>Authenticated requests with comprehension-required attributes we do not know (420).</summary>
    public long UnknownAttributes { get; internal set; }

    /// <summary>Authenticated requests from a peer that also claims the controlled role (487).</summary>
    public long RoleConflicts { get; internal set; }

    /// <summary>Requests of a method other than Binding (GOOG-PING, TURN): dropped, a lite agent speaks only Binding.</summary>
    public long UnsupportedMethod { get; internal set; }

    /// <summary>Binding indications (keepalives): no answer.</summary>
    public long Indications { get; internal set; }

    /// <summary>Responses, which a lite agent never asked for: dropped.</summary>
    public long StrayResponses { get; internal set; }

    /// <summary>Times a pair was nominated (more than one when the browser moves to another address).</summary>
    public long Nominations { get; internal set; }
}
