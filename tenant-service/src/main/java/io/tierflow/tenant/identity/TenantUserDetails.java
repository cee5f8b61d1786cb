package io.tierflow.tenant.identity;

import java.util.List;

import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;

/**
 * The sign-in form's users: the configured operators, by their username, and a tenant's
 * users who have set a password, by their sign-in name ({@code slug/e-mail}). One who has
 * not, or whose tenant is not active, is "not found", which Spring Security answers
 * exactly as a wrong password (and as slowly), so the form tells nobody which accounts
 * exist. The principal is Spring Security's own {@link User}: the authorization service
 * stores it with each authorization, and its tokens' claims are read afresh from
 * {@link Accounts} when they are issued.
 */
class TenantUserDetails implements UserDetailsService {

	private final Accounts accounts;

	private final IdentityProperties identity;

	TenantUserDetails(Accounts accounts, IdentityProperties identity) {
		this.accounts = accounts;
		this.identity = identity;
	}

	@Override
	public UserDetails loadUserByUsername(String username) {
		// An operator's name has no slash, a tenant user's always has.
		java.util.Optional<IdentityProperties.Operator> operator = this.identity.operator(username);
		if (operator.isPresent()) {
			return new User(operator.get().username(), operator.get().passwordHash(),
					List.of(new SimpleGrantedAuthority("ROLE_SYSTEM_ADMIN")));
		}
		Accounts.UserAccount account = this.accounts.user(username)
			.filter((a) -> a.passwordHash() != null && a.mayHaveTokens())
			.orElseThrow(() -> new UsernameNotFoundException("No such user"));
		return new User(account.signInName(), account.passwordHash(),
				List.of(new SimpleGrantedAuthority("ROLE_" + account.role())));
	}

}
