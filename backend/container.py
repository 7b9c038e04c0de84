"""The service container: every service of one app, built once and wired to its collaborators."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from backend.clock import utcnow
from backend.config import Settings
from backend.db import Database
from backend.media_store import MediaStore
from backend.services.accounts import AccountService
from backend.services.admin import AdminService
from backend.services.auth import AuthService
from backend.services.backups import BackupService
from backend.services.cart import CartService
from backend.services.categories import CategoryService
from backend.services.cleanup import CleanupService
from backend.services.coupons import CouponService
from backend.services.health import HealthService
from backend.services.images import ImageService
from backend.services.listing_cache import ListingCache
from backend.services.mail import MailService
from backend.services.offers import OfferService
from backend.services.orders import OrderService
from backend.services.payments import TestGateway
from backend.services.products import ProductService
from backend.services.resources import ResourceService
from backend.services.search import SearchService
from backend.services.search_index import SearchIndexService
from backend.services.seed import SeedService
from backend.services.sessions import SessionService
from backend.services.shipping import ShippingService
from backend.services.stats import StatsService
from backend.services.tax import TaxService
from backend.services.variants import VariantService


class Services:
    """Every service of one app, sharing its database pool, settings and clock. A service that uses
    another gets this container's instance as a constructor keyword argument, never one of its own."""

    settings: Settings
    db: Database
    _clock: Callable[[], datetime]
    media: MediaStore
    health: HealthService
    admin: AdminService
    backups: BackupService
    cleanup: CleanupService
    stats: StatsService
    resources: ResourceService
    accounts: AccountService
    sessions: SessionService
    auth: AuthService
    mail: MailService
    images: ImageService
    products: ProductService
    categories: CategoryService
    offers: OfferService
    variants: VariantService
    search: SearchService
    search_index: SearchIndexService
    seed: SeedService
    cart: CartService
    coupons: CouponService
    orders: OrderService
    shipping: ShippingService
    tax: TaxService

    def __init__(self, settings: Settings, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings, self.db = settings, db
        self._clock = clock
        # Every service reads the time through self._now, so set_clock moves them all at once.
        args = (db, settings, self._now)
        self.media = MediaStore(settings.media_path)
        self.sessions = SessionService(*args)
        self.health = HealthService(*args)
        self.admin = AdminService(*args, sessions=self.sessions)
        self.backups = BackupService(*args, media=self.media)
        self.cleanup = CleanupService(*args)
        self.stats = StatsService(*args)
        self.resources = ResourceService(*args)
        self.accounts = AccountService(*args, sessions=self.sessions)
        self.cart = CartService(*args)
        # Every login folds the guest's cart into the user's in its own transaction.
        self.auth = AuthService(*args, sessions=self.sessions, cart=self.cart)
        self.mail = MailService(*args, before_send=self.auth.prepare_requested_mail)
        # One listing cache shared by the services whose writes change what a listing matches.
        listing_cache = ListingCache(settings.catalog_cache_seconds)
        self.images = ImageService(*args, media=self.media)
        self.categories = CategoryService(*args, cache=listing_cache)
        self.products = ProductService(*args, cache=listing_cache, images=self.images, categories=self.categories)
        self.offers = OfferService(*args, cache=listing_cache)
        self.variants = VariantService(*args, cache=listing_cache)
        self.search = SearchService(*args)
        self.search_index = SearchIndexService(*args)
        self.seed = SeedService(*args, media=self.media, variants=self.variants, search_index=self.search_index)
        self.coupons = CouponService(*args)
        # The only gateway there is: it approves any valid test card but one (see TestGateway).
        self.orders = OrderService(*args, gateway=TestGateway())
        self.shipping = ShippingService(*args)
        self.tax = TaxService(*args)

    def _now(self) -> datetime:
        return self._clock()

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """Move every service's notion of now (tests travel in time with this)."""
        self._clock = clock
